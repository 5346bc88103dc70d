// Everything a booking worker process runs, built from the platform and the booking config: the
// queue consumers with their seat-map cache, result publisher and queue-depth gauge. The worker
// role serves it behind its health port; booking-worker-process runs it bare (tests, benchmarks).
import type { Worker } from 'bullmq';
import type { Platform } from '../lib/platform.js';
import { createBlockingRedis } from '../lib/redis.js';
import type { BookingConfig } from '../booking/booking-config.js';
import { trackQueueDepth } from '../booking/booking-metrics.js';
import { BookingQueues } from '../booking/booking-queues.js';
import { bookingStore } from '../booking/booking-store.js';
import { startBookingWorkers } from './booking-workers.js';
import { HoldResultPublisher } from '../booking/hold-result-publisher.js';
import { SeatMapCache } from '../booking/seat-map-cache.js';
import { HoldReconciler } from '../booking/hold-reconciler.js';

export interface BookingRuntime {
  workers: Worker[];
  queues: BookingQueues;
  /** Resolves once every worker is connected and consuming. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function startBookingRuntime(platform: Platform, bookingConfig: BookingConfig): BookingRuntime {
  const connection = createBlockingRedis(platform.config);
  const redis = platform.redis();
  const keyPrefix = bookingConfig.BOOKING_KEY_PREFIX;
  const store = bookingStore(platform.dynamo().doc, platform.config.DYNAMODB_TABLE_PREFIX);
  const queues = new BookingQueues({ connection: redis, keyPrefix, partitions: bookingConfig.BOOKING_PARTITIONS, headlinePartitions: bookingConfig.BOOKING_HEADLINE_PARTITIONS, pins: redis });
  const log = platform.log.child({ component: 'booking-workers' });
  const untrack = trackQueueDepth(queues);
  const publisher = new HoldResultPublisher(redis, bookingConfig.HOLD_RESULT_CHANNEL_KEY);
  const workers = startBookingWorkers({
    store,
    redis,
    connection,
    queues,
    keyPrefix,
    partitions: bookingConfig.BOOKING_PARTITIONS,
    headlinePartitions: bookingConfig.BOOKING_HEADLINE_PARTITIONS,
    concurrency: bookingConfig.BOOKING_WORKER_CONCURRENCY,
    log,
    publisher,
    seatMap: SeatMapCache.configured(redis, store, bookingConfig, log),
    jobLockMs: bookingConfig.BOOKING_JOB_LOCK_MS,
  });
  const reconciler = new HoldReconciler({
    store,
    redis,
    keyPrefix,
    queues,
    publisher,
    log,
    graceMs: bookingConfig.HOLD_RECONCILER_GRACE_MS,
    maxRequeues: bookingConfig.HOLD_RECONCILER_MAX_REQUEUES,
  });
  reconciler.start(bookingConfig.HOLD_RECONCILER_INTERVAL_MS);
  return {
    workers,
    queues,
    ready: async () => {
      await Promise.all(workers.map((worker) => worker.waitUntilReady()));
    },
    close: async () => {
      untrack();
      await reconciler.stop();
      await Promise.all(workers.map((worker) => worker.close()));
      await queues.close();
      connection.disconnect();
    },
  };
}
