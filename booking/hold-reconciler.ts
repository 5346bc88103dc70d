// Answers acknowledged hold requests that Redis forgot (DESIGN §8.5, docs/decisions/0016): every few
// seconds it reads the ledger's pending requests older than a grace period and, for each, either
// settles it (a hold in DynamoDB, or the job's own result), leaves it (the job still waits or runs),
// puts its job back (it vanished with Redis: same job id, same frozen request, so DynamoDB's
// conditions make a second run harmless), or, after a few requeues, answers "retry" so the fan is
// never left in silence. Every step is idempotent, so every worker replica may run it.
import type { Logger } from '../lib/log.js';
import type { RedisClient } from '../lib/redis.js';
import type { ReserveResult } from './booking-jobs.js';
import type { BookingQueues } from './booking-queues.js';
import type { BookingStore } from './booking-store.js';
import { readHold } from './booking-reads.js';
import { countRequeue, pendingRequests, REQUEST_SHARDS, settleRequest, type LedgerEntry } from './hold-request-ledger.js';
import { claimHoldRequest } from './hold-requests.js';
import type { HoldResultPublisher } from './hold-result-publisher.js';

/** The "retry" answer: the request was acknowledged but could not be processed; asking again is safe. */
export const RETRY_REASON = 'retry' as const;

export interface HoldReconcilerOptions {
  store: BookingStore;
  redis: RedisClient;
  keyPrefix: string;
  queues: BookingQueues;
  publisher?: HoldResultPublisher;
  log: Logger;
  /** A request younger than this is left to the normal path (its job is likely just running). */
  graceMs: number;
  /** Requeues of a vanished job before the request is answered "retry". */
  maxRequeues: number;
}

export type ReconcileAction = 'settled-held' | 'settled-rejected' | 'in-flight' | 'requeued' | 'answered-retry';

export class HoldReconciler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly options: HoldReconcilerOptions) {}

  /** One pass over every shard; returns what it did, per action (tests call it directly). */
  async runOnce(nowMs: number = this.options.store.clock()): Promise<Record<ReconcileAction, number>> {
    const tally: Record<ReconcileAction, number> = { 'settled-held': 0, 'settled-rejected': 0, 'in-flight': 0, requeued: 0, 'answered-retry': 0 };
    for (let shard = 0; shard < REQUEST_SHARDS; shard += 1) {
      for await (const entry of pendingRequests(this.options.store, shard, nowMs - this.options.graceMs)) {
        tally[await this.reconcile(entry)] += 1;
      }
    }
    return tally;
  }

  private async reconcile(entry: LedgerEntry): Promise<ReconcileAction> {
    const { store, queues } = this.options;
    const { job } = entry;
    if (await readHold(store, job.eventId, job.holdId)) {
      await settleRequest(store, job, { status: 'held' }, entry.acceptedAtMs);
      return 'settled-held';
    }
    const queued = await queues.reserveJob(job);
    if (queued) {
      const state = await queued.getState();
      const result = queued.returnvalue as ReserveResult | null;
      if (state === 'completed' && result?.outcome === 'rejected') {
        await settleRequest(store, job, { status: 'rejected', reason: result.reason }, entry.acceptedAtMs);
        return 'settled-rejected';
      }
      if (state === 'failed') {
        // It may have committed before failing: the hold check above came first.
        await settleRequest(store, job, { status: 'rejected', reason: 'could-not-process' }, entry.acceptedAtMs);
        return 'settled-rejected';
      }
      return 'in-flight';
    }
    if (entry.requeues < this.options.maxRequeues) {
      // Redis lost the job (and likely the request record GET /api/holds/:id reads): both come back.
      await claimHoldRequest(this.options.redis, this.options.keyPrefix, job);
      await queues.enqueueReserve(job);
      await countRequeue(store, job.holdId);
      this.options.log.warn({ eventId: job.eventId, holdId: job.holdId, fanId: job.fanId, requeues: entry.requeues + 1 }, 'acknowledged hold request had no job: enqueued again');
      return 'requeued';
    }
    await settleRequest(store, job, { status: 'rejected', reason: RETRY_REASON }, entry.acceptedAtMs);
    this.options.publisher?.publish(job, { outcome: 'rejected', holdId: job.holdId, reason: RETRY_REASON });
    return 'answered-retry';
  }

  start(intervalMs: number): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      if (this.running !== undefined) return;
      this.running = this.runOnce()
        .then((tally) => {
          if (tally.requeued + tally['answered-retry'] > 0) this.options.log.warn({ tally }, 'hold reconciler answered forgotten requests');
        })
        .catch((error: unknown) => this.options.log.warn({ err: error }, 'hold reconciler pass failed'))
        .finally(() => {
          this.running = undefined;
        });
    }, intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
