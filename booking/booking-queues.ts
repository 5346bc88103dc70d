// The partition queues of the booking pipeline: a fixed set of BullMQ queues, an event maps to one
// by hash, each queue under its own hash-tagged prefix so its keys share one Redis Cluster slot;
// plus one headline queue that ops pin a storm event to (a Redis set), so it starves no partition.
// Job ids are hold ids (reserve) and `expire-<holdId>`, so adding a job twice is a no-op.
import { createHash } from 'node:crypto';
import { Queue, type ConnectionOptions, type Job } from 'bullmq';
import type { RedisClient } from '../lib/redis.js';
import { headlineEventsKey } from './booking-keys.js';
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

export function headlinePrefix(keyPrefix: string): string {
  return `{${keyPrefix}bk-headline}`;
}

/** Ops: route an event's new jobs to the headline queue (or back to its partition). */
export async function pinHeadlineEvent(redis: RedisClient, keyPrefix: string, eventId: string, pinned = true): Promise<void> {
  if (pinned) await redis.sadd(headlineEventsKey(keyPrefix), eventId);
  else await redis.srem(headlineEventsKey(keyPrefix), eventId);
}

/** Ops: the events pinned to the headline queue now, sorted. */
export async function listHeadlineEvents(redis: RedisClient, keyPrefix: string): Promise<string[]> {
  return (await redis.smembers(headlineEventsKey(keyPrefix))).sort();
}

/** How long a process trusts its copy of the pinned set; a pin takes effect within this. */
const PINNED_REFRESH_MS = 1_000;

export interface BookingQueueOptions {
  connection: ConnectionOptions;
  keyPrefix: string;
  partitions: number;
  /** Job-level attempts for retryable failures (locked seats, DynamoDB unavailable). */
  reserveAttempts?: number;
  /** Where the pinned-event set is read; without it every event uses its partition queue. */
  pins?: RedisClient;
}

export class BookingQueues {
  private readonly queues = new Map<string, Queue>();
  private pinned: { events: Set<string>; readAtMs: number } | undefined;

  constructor(private readonly options: BookingQueueOptions) {}

  private queue(prefix: string): Queue {
    let queue = this.queues.get(prefix);
    if (!queue) {
      queue = new Queue(BOOKING_QUEUE_NAME, { connection: this.options.connection, prefix });
      this.queues.set(prefix, queue);
    }
    return queue;
  }

  /** The event's partition queue (where it runs unless pinned). */
  queueFor(eventId: string): Queue {
    return this.queue(partitionPrefix(this.options.keyPrefix, partitionOf(eventId, this.options.partitions)));
  }

  headlineQueue(): Queue {
    return this.queue(headlinePrefix(this.options.keyPrefix));
  }

  async isPinned(eventId: string): Promise<boolean> {
    if (!this.options.pins) return false;
    const now = Date.now();
    if (!this.pinned || now - this.pinned.readAtMs > PINNED_REFRESH_MS) {
      this.pinned = { events: new Set(await this.options.pins.smembers(headlineEventsKey(this.options.keyPrefix))), readAtMs: now };
    }
    return this.pinned.events.has(eventId);
  }

  /** Where the event's new jobs go now. */
  async targetQueue(eventId: string): Promise<Queue> {
    return (await this.isPinned(eventId)) ? this.headlineQueue() : this.queueFor(eventId);
  }

  /** Jobs per queue (every partition and the headline queue) and state, for the queue-depth gauge. */
  async depths(): Promise<Array<{ queue: string; state: string; jobs: number }>> {
    const prefixes = [...Array.from({ length: this.options.partitions }, (_, partition) => partitionPrefix(this.options.keyPrefix, partition)), headlinePrefix(this.options.keyPrefix)];
    const depths = await Promise.all(
      prefixes.map(async (prefix) => {
        const queue = this.queue(prefix);
        const counts = await queue.getJobCounts('waiting', 'delayed', 'active');
        return Object.entries(counts).map(([state, jobs]) => ({ queue: prefix, state, jobs }));
      }),
    );
    return depths.flat();
  }

  async enqueueReserve(job: ReserveJob): Promise<void> {
    const pinned = await this.isPinned(job.eventId);
    const target = pinned ? this.headlineQueue() : this.queueFor(job.eventId);
    // A replayed request after a pin change must not start a twin in the other queue.
    const other = pinned ? this.queueFor(job.eventId) : this.options.pins ? this.headlineQueue() : undefined;
    if (other && (await other.getJob(job.holdId))) return;
    await target.add(JOB_NAMES.reserve, job, {
      jobId: job.holdId,
      attempts: this.options.reserveAttempts ?? 8,
      backoff: { type: 'exponential', delay: 100, jitter: 0.5 },
      removeOnComplete: { age: RESULT_RETENTION_SECONDS },
      removeOnFail: { age: RESULT_RETENTION_SECONDS },
    });
  }

  async scheduleExpiry(job: ExpireJob, nowMs: number): Promise<void> {
    await (await this.targetQueue(job.eventId)).add(JOB_NAMES.expire, job, {
      jobId: `expire-${job.holdId}`,
      delay: Math.max(0, job.heldUntil - nowMs),
      attempts: 10,
      backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: RESULT_RETENTION_SECONDS },
    });
  }

  async reserveJob(eventId: string, holdId: string): Promise<Job | undefined> {
    // A pin may have moved the event since the job was added: look in both places.
    for (const queue of [this.queueFor(eventId), ...(this.options.pins ? [this.headlineQueue()] : [])]) {
      const job = await queue.getJob(holdId);
      if (job) return job;
    }
    return undefined;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}
