// The partition queues of the booking pipeline: a fixed set of BullMQ queues, an event maps to one
// by hash, each queue under its own hash-tagged prefix so its keys share one Redis Cluster slot.
// Job ids are hold ids (reserve) and `expire-<holdId>`, so adding a job twice is a no-op.
import { createHash } from 'node:crypto';
import { Queue, type ConnectionOptions, type Job } from 'bullmq';
import { JOB_NAMES, type ExpireJob, type ReserveJob } from './booking-jobs.js';

export const BOOKING_QUEUE_NAME = 'booking';
/** Results stay readable (GET /api/holds/:id) as long as the Idempotency-Key record. */
export const RESULT_RETENTION_SECONDS = 24 * 3600;

export function partitionOf(eventId: string, partitions: number): number {
  return createHash('sha1').update(eventId).digest().readUInt32BE(0) % partitions;
}

export function partitionPrefix(keyPrefix: string, partition: number): string {
  return `{${keyPrefix}bk-p${partition}}`;
}

export interface BookingQueueOptions {
  connection: ConnectionOptions;
  keyPrefix: string;
  partitions: number;
  /** Job-level attempts for retryable failures (locked seats, DynamoDB unavailable). */
  reserveAttempts?: number;
}

export class BookingQueues {
  private readonly queues = new Map<number, Queue>();

  constructor(private readonly options: BookingQueueOptions) {}

  queueFor(eventId: string): Queue {
    const partition = partitionOf(eventId, this.options.partitions);
    let queue = this.queues.get(partition);
    if (!queue) {
      queue = new Queue(BOOKING_QUEUE_NAME, { connection: this.options.connection, prefix: partitionPrefix(this.options.keyPrefix, partition) });
      this.queues.set(partition, queue);
    }
    return queue;
  }

  async enqueueReserve(job: ReserveJob): Promise<void> {
    await this.queueFor(job.eventId).add(JOB_NAMES.reserve, job, {
      jobId: job.holdId,
      attempts: this.options.reserveAttempts ?? 8,
      backoff: { type: 'exponential', delay: 100, jitter: 0.5 },
      removeOnComplete: { age: RESULT_RETENTION_SECONDS },
      removeOnFail: { age: RESULT_RETENTION_SECONDS },
    });
  }

  async scheduleExpiry(job: ExpireJob, nowMs: number): Promise<void> {
    await this.queueFor(job.eventId).add(JOB_NAMES.expire, job, {
      jobId: `expire-${job.holdId}`,
      delay: Math.max(0, job.heldUntil - nowMs),
      attempts: 10,
      backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: RESULT_RETENTION_SECONDS },
    });
  }

  async reserveJob(eventId: string, holdId: string): Promise<Job | undefined> {
    return (await this.queueFor(eventId).getJob(holdId)) ?? undefined;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}
