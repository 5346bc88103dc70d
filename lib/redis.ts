// Redis connections. Commands fail fast when Redis is away (bounded retries) instead of queueing
// forever, so a request never hangs on a dead cache.
import { Redis, type RedisOptions } from 'ioredis';
import { redactUrl } from './config.js';
import type { DependencyCheck } from './health.js';
import { logger } from './log.js';

export type { Redis };

export function createRedis(url: string, overrides: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    connectTimeout: 2_000,
    maxRetriesPerRequest: 2,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    lazyConnect: false,
    ...overrides,
  });
  // Commands already reject while Redis is away; the connection error itself is logged once per
  // kind so a long outage does not flood the log (and ioredis does not print "Unhandled error").
  let lastCode: string | undefined;
  redis.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === lastCode) return;
    lastCode = error.code;
    logger().warn({ err: error, redis: redactUrl(url) }, 'redis connection error');
  });
  redis.on('ready', () => {
    lastCode = undefined;
  });
  return redis;
}

/** BullMQ needs blocking connections that never give up on a command. */
export function createBlockingRedis(url: string): Redis {
  return createRedis(url, { maxRetriesPerRequest: null });
}

export function redisCheck(redis: Redis): DependencyCheck {
  return {
    name: 'redis',
    check: async () => {
      const reply = await redis.ping();
      if (reply !== 'PONG') throw new Error(`unexpected PING reply ${reply}`);
    },
  };
}


/**
 * Deletes every key under a prefix, including keys whose hash tag opens with it (`{prefix…}`).
 * SCAN-based, so it never blocks Redis; for tests, benchmarks and local clean-up, not hot paths.
 */
export async function deleteKeysByPrefix(redis: Redis, prefix: string): Promise<void> {
  for (const pattern of [`${prefix}*`, `{${prefix}*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
}
