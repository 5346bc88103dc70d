// BullMQ consumers of the booking partition queues and the headline queue: reserve (then schedule
// the hold's expiry, refresh the seat-map cache and push the result to the fan) and expire. Every
// processor is safe to run twice: BullMQ delivers at least once.
import { DelayedError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { RedisClient } from '../lib/redis.js';
import type { Logger } from '../lib/log.js';
import { expireJobSchema, JOB_NAMES, reserveJobSchema, type ReserveResult } from '../booking/booking-jobs.js';
import { bookingMetrics } from '../booking/booking-metrics.js';
import { BOOKING_QUEUE_NAME, bookingQueuePrefixes, type BookingQueues } from '../booking/booking-queues.js';
import type { BookingStore } from '../booking/booking-store.js';
import type { HoldResultPublisher } from '../booking/hold-result-publisher.js';
import { releaseHold, type ReleaseOutcome } from '../booking/hold-release.js';
import { createBestAvailableShare, reserveHold } from '../booking/reserve-hold.js';
import { settleRequest } from '../booking/hold-request-ledger.js';
import type { SeatMapCache } from '../booking/seat-map-cache.js';

export interface BookingWorkerOptions {
  store: BookingStore;
  /** Plain connection for seat locks. */
  redis: RedisClient;
  /** Blocking-safe connection (maxRetriesPerRequest null) for the BullMQ workers. */
  connection: ConnectionOptions;
  queues: BookingQueues;
  keyPrefix: string;
  partitions: number;
  headlinePartitions: number;
  concurrency: number;
  log: Logger;
  publisher?: HoldResultPublisher;
  seatMap?: SeatMapCache;
  /** BullMQ job lock; a killed worker's active jobs are retried about this long after it died. */
  jobLockMs?: number;
}

type ProcessorOptions = Omit<BookingWorkerOptions, 'connection' | 'partitions' | 'headlinePartitions' | 'concurrency' | 'jobLockMs'>;

export function bookingProcessor(options: ProcessorOptions) {
  const metrics = bookingMetrics();
  // One per processor (a worker process's concurrent jobs), see BestAvailableShare.
  const share = createBestAvailableShare();
  return async (job: Job, token?: string): Promise<ReserveResult | ReleaseOutcome> => {
    if (job.name === JOB_NAMES.reserve) {
      const data = reserveJobSchema.parse(job.data);
      // The seat-map cache is both where best-available picks and what reserveHold refreshes after its commit.
      const result = await reserveHold({ store: options.store, redis: options.redis, keyPrefix: options.keyPrefix, share, ...(options.seatMap ? { seatMap: options.seatMap } : {}) }, data);
      if (result.outcome === 'held') {
        // Scheduled after the commit; a crash before this line replays the job, which lands here again.
        await options.queues.scheduleExpiry({ holdId: result.holdId, eventId: data.eventId, heldUntil: result.heldUntil }, options.store.clock());
      }
      metrics.reservationLatency.observe({ outcome: result.outcome }, Math.max(0, options.store.clock() - data.requestedAt) / 1000);
      options.publisher?.publish(data, result);
      // The durable answer (hold-request-ledger.ts): best effort, the reconciler settles what this misses.
      await settleRequest(options.store, data, result.outcome === 'held' ? { status: 'held' } : { status: 'rejected', reason: result.reason }).catch((error: unknown) =>
        options.log.warn({ err: error, eventId: data.eventId, holdId: data.holdId }, 'could not settle the hold request in the ledger'),
      );
      // Per job, so debug: a sale is thousands a second; the latency metric and failures (warn) remain.
      options.log.debug({ eventId: data.eventId, holdId: data.holdId, fanId: data.fanId, outcome: result.outcome }, 'reserve processed');
      return result;
    }
    if (job.name === JOB_NAMES.expire) {
      const data = expireJobSchema.parse(job.data);
      const outcome = await releaseHold(options.store, data.eventId, data.holdId, 'expired');
      if (outcome.outcome === 'not-yet-expired') {
        // Clocks disagree by a little: come back at the hold's own deadline.
        await job.moveToDelayed(outcome.heldUntil + 50, token);
        throw new DelayedError();
      }
      if (outcome.outcome === 'released') await options.seatMap?.refresh(data.eventId, outcome.seatKeys);
      options.log.debug({ eventId: data.eventId, holdId: data.holdId, outcome: outcome.outcome }, 'hold expiry processed');
      return outcome;
    }
    throw new Error(`unknown booking job ${job.name}`);
  };
}

/** Every job is idempotent, so a job whose worker died may be picked up again several times. */
const MAX_STALLED_COUNT = 10;

/** One worker per partition queue and per headline queue; close them to stop consuming. */
export function startBookingWorkers(options: BookingWorkerOptions): Worker[] {
  const processor = bookingProcessor(options);
  const prefixes = bookingQueuePrefixes(options.keyPrefix, options.partitions, options.headlinePartitions);
  const jobLockMs = options.jobLockMs ?? 30_000;
  return prefixes.map((prefix) => {
    const worker = new Worker(BOOKING_QUEUE_NAME, processor, {
      connection: options.connection,
      prefix,
      concurrency: options.concurrency,
      lockDuration: jobLockMs,
      stalledInterval: jobLockMs,
      maxStalledCount: MAX_STALLED_COUNT,
    });
    worker.on('failed', (job, error) => options.log.warn({ err: error, jobId: job?.id, attempts: job?.attemptsMade }, 'booking job failed'));
    worker.on('error', (error) => options.log.error({ err: error }, 'booking worker error'));
    return worker;
  });
}
