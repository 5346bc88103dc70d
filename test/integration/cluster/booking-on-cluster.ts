// The booking side on a Redis Cluster, built the way the worker role builds it: a Platform whose
// config says REDIS_CLUSTER=true, startBookingRuntime (BullMQ workers on cluster connections, the
// seat-map cache, the hold-result publisher), DynamoDB tables and a key prefix of its own.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { ensureTables, tableNames } from '../../../lib/dynamo.js';
import { logger } from '../../../lib/log.js';
import { Platform } from '../../../lib/platform.js';
import { deleteKeysByPrefix, type RedisClient } from '../../../lib/redis.js';
import { loadBookingConfig } from '../../../booking/booking-config.js';
import { startBookingRuntime, type BookingRuntime } from '../../../workers/booking-runtime.js';
import { bookingStore, type BookingStore } from '../../../booking/booking-store.js';
import { SeatMapCache } from '../../../booking/seat-map-cache.js';
import { config } from '../platform-env.js';
import type { RedisClusterFixture } from './redis-cluster.js';

const WORKER_ENTRY = fileURLToPath(new URL('../../../dist/workers/booking-worker-process.js', import.meta.url));

export const PARTITIONS = 3;
export const HEADLINE_PARTITIONS = 2;

export interface BookingOnCluster {
  platform: Platform;
  /** The platform's cluster client (what the api and workers share). */
  redis: RedisClient;
  store: BookingStore;
  keyPrefix: string;
  runtime: BookingRuntime;
  /** A seat-map cache of the test's own (the runtime's is inside its workers). */
  seatMap: SeatMapCache;
  /** Environment of a booking process on the same cluster, tables and prefix. */
  env: NodeJS.ProcessEnv;
  /** Forks a booking worker process (dist/, built by `npm run build`) with REDIS_CLUSTER=true;
   * `processed()` counts the reserve jobs it has logged as done. */
  forkWorker(concurrency: number): Promise<{ child: ChildProcess; processed: () => number }>;
  close(): Promise<void>;
}

export async function startBookingOnCluster(cluster: RedisClusterFixture, options: { concurrency: number; holdResultChannelKey?: string }): Promise<BookingOnCluster> {
  const id = randomUUID().slice(0, 8);
  const tablePrefix = `bkc-${id}-`;
  const keyPrefix = `test-bkc-${id}:`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL: cluster.endpoint.REDIS_URL,
    REDIS_CLUSTER: 'true',
    DYNAMODB_TABLE_PREFIX: tablePrefix,
    BOOKING_KEY_PREFIX: keyPrefix,
    BOOKING_PARTITIONS: String(PARTITIONS),
    BOOKING_HEADLINE_PARTITIONS: String(HEADLINE_PARTITIONS),
    BOOKING_WORKER_CONCURRENCY: String(options.concurrency),
    ...(options.holdResultChannelKey ? { HOLD_RESULT_CHANNEL_KEY: options.holdResultChannelKey } : {}),
    LOG_LEVEL: 'warn',
  };
  const platform = new Platform({ ...config, REDIS_URL: cluster.endpoint.REDIS_URL, REDIS_CLUSTER: true, DYNAMODB_TABLE_PREFIX: tablePrefix }, logger());
  await ensureTables(platform.dynamo().client, tablePrefix);
  const store = bookingStore(platform.dynamo().doc, tablePrefix);
  const runtime = startBookingRuntime(platform, loadBookingConfig(env));
  await runtime.ready();
  const redis = platform.redis();
  const seatMap = new SeatMapCache({ redis, store, keyPrefix, ttlMs: 30_000 });
  const children: ChildProcess[] = [];

  return {
    platform,
    redis,
    store,
    keyPrefix,
    runtime,
    seatMap,
    env,
    async forkWorker(concurrency) {
      if (!existsSync(WORKER_ENTRY)) throw new Error(`${WORKER_ENTRY} is missing: run npm run build (npm test does)`);
      const child = fork(WORKER_ENTRY, [], { env: { ...env, BOOKING_WORKER_CONCURRENCY: String(concurrency), LOG_LEVEL: 'debug' }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
      children.push(child);
      let processed = 0;
      let partial = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop()!;
        processed += lines.filter((line) => line.includes('"msg":"reserve processed"')).length;
      });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('booking worker did not report ready within 30 s')), 30_000);
        child.once('message', (message) => {
          clearTimeout(timer);
          if (message === 'ready') resolve();
          else reject(new Error(`unexpected message ${String(message)}`));
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`booking worker exited with ${code} before it was ready`));
        });
      });
      return { child, processed: () => processed };
    },
    async close() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
              child.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              child.kill('SIGTERM');
            }),
        ),
      );
      await runtime.close();
      await deleteKeysByPrefix(redis, keyPrefix);
      for (const table of Object.values(tableNames(tablePrefix))) await platform.dynamo().client.send(new DeleteTableCommand({ TableName: table }));
      await platform.close();
    },
  };
}
