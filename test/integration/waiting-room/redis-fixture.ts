// Real-Redis fixture for the waiting-room suites: a unique key prefix per test file, extra
// connections for real concurrency, and cleanup of everything under the prefix.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig } from '../../../lib/config.js';
import { deleteKeysByPrefix } from '../../../lib/redis.js';

export const redisUrl = loadConfig().REDIS_URL;

export interface RedisFixture {
  redis: Redis;
  keyPrefix: string;
  /** Opens `count` more connections (closed by close()). */
  connections(count: number): Redis[];
  close(): Promise<void>;
}

export function createRedisFixture(): RedisFixture {
  const keyPrefix = `test:${randomUUID()}:`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  const opened: Redis[] = [redis];
  return {
    redis,
    keyPrefix,
    connections(count) {
      const extra = Array.from({ length: count }, () => new Redis(redisUrl, { maxRetriesPerRequest: 2 }));
      opened.push(...extra);
      return extra;
    },
    async close() {
      await deleteKeysByPrefix(redis, keyPrefix);
      await Promise.all(opened.map((connection) => connection.quit()));
    },
  };
}

let eventCounter = 0;
/** A fresh event id per test: suites never share waiting-room state. */
export function uniqueEventId(label: string): string {
  eventCounter += 1;
  return `${label}-${eventCounter}-${randomUUID().slice(0, 8)}`;
}

export const openRoom = {
  state: 'open',
  admissionRatePerMinute: 600,
  maxActiveShoppers: 1_000_000,
  passTtlSeconds: 600,
  opensAt: 0,
} as const;
