// The api side of a hold: the Idempotency-Key record (hold id -> event, fan, body hash, job) and the
// hold's status as the fan sees it, read from DynamoDB first and from the reserve job's result while
// there is no hold. The hold id is derived from (event, fan, Idempotency-Key), so a retried request
// lands on the same BullMQ job and the same DynamoDB condition even if Redis lost the record.
import { createHash } from 'node:crypto';
import type { RedisClient } from '../lib/redis.js';
import { defineScripts, runScript } from '../lib/redis-scripts.js';
import { bookingScript } from './booking-lua.js';
import { holdRequestKey, parseSeatSk, type SeatRef } from './booking-keys.js';
import { reserveJobSchema, type HoldRequest, type ReserveJob, type ReserveResult } from './booking-jobs.js';
import { RESULT_RETENTION_SECONDS, type BookingQueues } from './booking-queues.js';
import type { BookingStore } from './booking-store.js';
import { readHold } from './booking-reads.js';

const claimHoldRequestScript = bookingScript('corralBookingClaimHoldRequest', 'claim-hold-request.lua');

export function holdIdFor(eventId: string, fanId: string, idempotencyKey: string): string {
  const digest = createHash('sha256').update(JSON.stringify([eventId, fanId, idempotencyKey])).digest('base64url');
  return `h_${digest.slice(0, 32)}`;
}

export function requestBodyHash(request: HoldRequest): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('base64url');
}

export type ClaimOutcome = { status: 'new' | 'same'; job: ReserveJob } | { status: 'mismatch' };

/** Records the request; a replay with the same body gets the first request's job (same frozen "now"). */
export async function claimHoldRequest(redis: RedisClient, keyPrefix: string, job: ReserveJob): Promise<ClaimOutcome> {
  defineScripts(redis, [claimHoldRequestScript]);
  const bodyHash = requestBodyHash(job.request);
  const reply = (await runScript(redis, claimHoldRequestScript.name, [holdRequestKey(keyPrefix, job.holdId)], [
    job.eventId,
    job.fanId,
    bodyHash,
    JSON.stringify(job),
    RESULT_RETENTION_SECONDS,
  ])) as [string, string?, string?];
  if (reply[0] === 'new') return { status: 'new', job };
  if (reply[1] !== bodyHash) return { status: 'mismatch' };
  return { status: 'same', job: reserveJobSchema.parse(JSON.parse(reply[2]!)) };
}

export async function readHoldRequest(redis: RedisClient, keyPrefix: string, holdId: string): Promise<ReserveJob | undefined> {
  const job = await redis.hget(holdRequestKey(keyPrefix, holdId), 'job');
  return job === null ? undefined : reserveJobSchema.parse(JSON.parse(job));
}

export type HoldView =
  | { holdId: string; status: 'pending' }
  | { holdId: string; status: 'held'; seats: SeatRef[]; expiresAt: string; amountCents: number }
  | { holdId: string; status: 'rejected'; reason: string }
  | { holdId: string; status: 'expired' | 'released' }
  | { holdId: string; status: 'confirmed'; bookingId: string; seats: SeatRef[] };

/**
 * What a fan polling GET /api/holds/:id sees. While the reserve job waits or runs, and when it ended
 * in a rejection, the answer comes from the job in Redis: a storm of polling fans must not turn into
 * a storm of DynamoDB reads. Only a hold that may exist is read from DynamoDB (its status moves on
 * after the job: confirmed, released, expired).
 */
export async function holdView(store: BookingStore, queues: BookingQueues, job: ReserveJob): Promise<HoldView> {
  const { holdId } = job;
  const queued = await queues.reserveJob(job);
  let failed = false;
  if (queued) {
    const state = await queued.getState();
    failed = state === 'failed';
    if (!failed && state !== 'completed') return { holdId, status: 'pending' };
    const result = queued.returnvalue as ReserveResult | null;
    if (result?.outcome === 'rejected') return { holdId, status: 'rejected', reason: result.reason };
  }
  // Completed with a hold, failed (it may have committed before failing), or the job is gone.
  const hold = await readHold(store, job.eventId, holdId);
  if (hold) {
    const seats = hold.seatKeys.map(parseSeatSk);
    if (hold.status === 'CONFIRMED') return { holdId, status: 'confirmed', bookingId: holdId, seats };
    if (hold.status === 'RELEASED') return { holdId, status: 'released' };
    if (hold.status === 'EXPIRED' || hold.heldUntil <= store.clock()) return { holdId, status: 'expired' };
    return { holdId, status: 'held', seats, expiresAt: new Date(hold.heldUntil).toISOString(), amountCents: hold.amountCents };
  }
  if (!queued) {
    // An acknowledged request whose job vanished (Redis failover): enqueue it again, same job id.
    await queues.enqueueReserve(job);
    return { holdId, status: 'pending' };
  }
  if (failed) return { holdId, status: 'rejected', reason: 'could-not-process' };
  // Completed as held but not readable yet is impossible (the transaction committed first); a null
  // result means the job is being written.
  return { holdId, status: 'pending' };
}
