// The partition queues of the booking pipeline: a fixed set of BullMQ queues, each under its own
// hash-tagged prefix so its keys share one Redis Cluster slot. A job maps to one by hash of its event
// and route: a reserve by its section, an expiry by its hold, so one hot event spreads over several
// queues (and slots), never one (decision 0010). Ops pin a storm event (a Redis set) to the headline
// queues, a second, smaller set routed the same way, so it starves no partition. Job ids are hold ids
// (reserve) and `expire-<holdId>`, so adding a job twice to its queue is a no-op.
import { createHash } from 'node:crypto';
import { Queue, type ConnectionOptions, type Job } from 'bullmq';
import type { RedisClient } from '../lib/redis.js';
import { headlineEventsKey } from './booking-keys.js';
import { parseSeatSk, seatSk } from './booking-keys.js';
import { JOB_NAMES, type ExpireJob, type HoldRequest, type ReserveJob } from './booking-jobs.js';

export const BOOKING_QUEUE_NAME = 'booking';
/** Results stay readable (GET /api/holds/:id) as long as the Idempotency-Key record. */
export const RESULT_RETENTION_SECONDS = 24 * 3600;

/** The queue (of `partitions`) a job of this event and route goes to. */
export function partitionOf(eventId: string, route: string, partitions: number): number {
  return createHash('sha1').update(`${eventId}#${route}`).digest().readUInt32BE(0) % partitions;
}

/** A reserve job's route: its section (explicit seats: the section of the first seat in sort order). */
export function reserveRoute(request: HoldRequest): string {
  return 'section' in request ? request.section : parseSeatSk(request.seats.map(seatSk).sort()[0]!).section;
}

/** An expiry's route: its hold, so expiries spread evenly (no lock to share with a reserve). */
export const expiryRoute = (holdId: string) => holdId;

export function partitionPrefix(keyPrefix: string, partition: number): string {
  return `{${keyPrefix}bk-p${partition}}`;
}

export function headlinePrefix(keyPrefix: string, partition: number): string {
  return `{${keyPrefix}bk-headline-${partition}}`;
}

/** Every queue the booking side uses: the partitions, then the headline queues. */
export function bookingQueuePrefixes(keyPrefix: string, partitions: number, headlinePartitions: number): string[] {
  return [
    ...Array.from({ length: partitions }, (_, partition) => partitionPrefix(keyPrefix, partition)),
    ...Array.from({ length: headlinePartitions }, (_, partition) => headlinePrefix(keyPrefix, partition)),
  ];
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

/** The states the depth gauge reports: what is really queued or running (BullMQ keeps prioritized
 * jobs in their own set, which a Redis-list count never sees), and delayed (hold expiries waiting
 * for their time, and reserve retries backing off). */
export const DEPTH_STATES = ['waiting', 'prioritized', 'active', 'delayed'] as const;

/** How long a process trusts its copy of the pinned set; a pin takes effect within this. */
const PINNED_REFRESH_MS = 1_000;

export interface BookingQueueOptions {
  connection: ConnectionOptions;
  keyPrefix: string;
  partitions: number;
  /** Headline queues a pinned event spreads over (BOOKING_HEADLINE_PARTITIONS). */
  headlinePartitions: number;
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

  /** The partition queue of this event and route (where its jobs run unless the event is pinned). */
  queueFor(eventId: string, route: string): Queue {
    return this.queue(partitionPrefix(this.options.keyPrefix, partitionOf(eventId, route, this.options.partitions)));
  }

  /** The headline queue of this event and route (where its jobs run while it is pinned). */
  headlineQueue(eventId: string, route: string): Queue {
    return this.queue(headlinePrefix(this.options.keyPrefix, partitionOf(eventId, route, this.options.headlinePartitions)));
  }

  async isPinned(eventId: string): Promise<boolean> {
    if (!this.options.pins) return false;
    const now = Date.now();
    if (!this.pinned || now - this.pinned.readAtMs > PINNED_REFRESH_MS) {
      this.pinned = { events: new Set(await this.options.pins.smembers(headlineEventsKey(this.options.keyPrefix))), readAtMs: now };
    }
    return this.pinned.events.has(eventId);
  }

  /** Where the event's new jobs of this route go now. */
  async targetQueue(eventId: string, route: string): Promise<Queue> {
    return (await this.isPinned(eventId)) ? this.headlineQueue(eventId, route) : this.queueFor(eventId, route);
  }

  /** Jobs per queue (every partition and headline queue) and state, for the queue-depth gauge. */
  async depths(): Promise<Array<{ queue: string; state: string; jobs: number }>> {
    const depths = await Promise.all(
      bookingQueuePrefixes(this.options.keyPrefix, this.options.partitions, this.options.headlinePartitions).map(async (prefix) => {
        const counts = await this.queue(prefix).getJobCounts(...DEPTH_STATES);
        return Object.entries(counts).map(([state, jobs]) => ({ queue: prefix, state, jobs }));
      }),
    );
    return depths.flat();
  }

  async enqueueReserve(job: ReserveJob): Promise<void> {
    const route = reserveRoute(job.request);
    const pinned = await this.isPinned(job.eventId);
    const target = pinned ? this.headlineQueue(job.eventId, route) : this.queueFor(job.eventId, route);
    // A replayed request after a pin change must not start a twin in the other queue.
    const other = pinned ? this.queueFor(job.eventId, route) : this.options.pins ? this.headlineQueue(job.eventId, route) : undefined;
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
    await (await this.targetQueue(job.eventId, expiryRoute(job.holdId))).add(JOB_NAMES.expire, job, {
      jobId: `expire-${job.holdId}`,
      delay: Math.max(0, job.heldUntil - nowMs),
      attempts: 10,
      backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: RESULT_RETENTION_SECONDS },
    });
  }

  /** The reserve job of this request, wherever it went. */
  async reserveJob(job: Pick<ReserveJob, 'eventId' | 'holdId' | 'request'>): Promise<Job | undefined> {
    const route = reserveRoute(job.request);
    // A pin may have moved the event since the job was added: look in both places.
    for (const queue of [this.queueFor(job.eventId, route), ...(this.options.pins ? [this.headlineQueue(job.eventId, route)] : [])]) {
      const found = await queue.getJob(job.holdId);
      if (found) return found;
    }
    return undefined;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}
