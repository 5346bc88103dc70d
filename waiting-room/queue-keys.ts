// The Redis key layout of one event's waiting room, written once. Every key shares the hash tag
// `{wr:<eventId>}` so all of them live in one Redis Cluster slot and one Lua script may touch them all.
import { eventIdSchema, fanIdSchema } from '../lib/ids.js';

export { eventIdSchema, fanIdSchema };

export const DEFAULT_KEY_PREFIX = 'corral:';

export interface WaitingRoomKeys {
  /** INCR counter: the last queue number handed out. */
  issued: string;
  /** Every number <= serving may claim a pass. */
  serving: string;
  /** hash fanId -> queue number: one place per fan. */
  fans: string;
  /** set of fanIds that joined before the open and still wait for a number. */
  prequeue: string;
  /** the prequeue snapshot being numbered by openSale (renamed from `prequeue` at open). */
  prequeueOpening: string;
  /** list of fanIds in the order they first joined the prequeue (one entry per member of `prequeue`). */
  prequeueLog: string;
  /** the join-order list of the opened prequeue (renamed from `prequeueLog` at open), kept for the fairness record. */
  prequeueMembership: string;
  /** the shuffle's secret seed, drawn when the room is created; config holds its SHA-256 until the open reveals it. */
  fairnessSeed: string;
  /** hash: state, admissionRatePerMinute, maxActiveShoppers, passTtlSeconds, opensAt, claimWindowSeconds, proofOfWorkBits. */
  config: string;
  /** sorted set sessionId -> expiry ms: admitted shopping sessions. */
  active: string;
  /** hash fanId -> sessionId of the fan's latest session (claimPass idempotency). */
  sessionsByFan: string;
  /** hash sessionId -> fanId (releaseSession and pruning clean both sides). */
  sessionOwners: string;
  /** hash fanId -> first claim ms: a fan's first claim is credited to its admission batch once. */
  claimedFans: string;
  /** sorted set "from:to:admittedAtMs" scored by `to`: the admissions log (last minute, unclaimed). */
  admissions: string;
  /** hash admissions member -> claims made from that batch. */
  admissionClaims: string;
  /** capped list "number:joinedAtMs:estimatedWaitSeconds:admittedAtMs", newest first (wait-estimates.ts). */
  waitSamples: string;
  /** hash holder, token, expiresAt: the admission ticker's leader lease. */
  lease: string;
  /** INCR counter: fencing token, never reset so a deposed leader's token is always stale. */
  leaseFence: string;
  /** hash lastTickMs, carry: ticker progress, kept in Redis so a new leader continues exactly. */
  ticker: string;
  /** stream of queue.state-changed entries (id, time, state, previousState, admissionRatePerMinute,
   * maxActiveShoppers, reason), appended by the script that made the change; the relay drains it. */
  stateOutbox: string;
  /** prefix of `<prefix><salt>` keys (SET NX with the challenge's expiry): proof-of-work challenges already spent. */
  proofOfWorkSpentPrefix: string;
}

export function waitingRoomKeys(eventId: string, keyPrefix: string = DEFAULT_KEY_PREFIX): WaitingRoomKeys {
  const tag = `${keyPrefix}{wr:${eventIdSchema.parse(eventId)}}`;
  return {
    issued: `${tag}:issued`,
    serving: `${tag}:serving`,
    fans: `${tag}:fans`,
    prequeue: `${tag}:prequeue`,
    prequeueOpening: `${tag}:prequeue:opening`,
    prequeueLog: `${tag}:prequeue:log`,
    prequeueMembership: `${tag}:prequeue:membership`,
    fairnessSeed: `${tag}:fairness:seed`,
    config: `${tag}:config`,
    active: `${tag}:active`,
    sessionsByFan: `${tag}:sessions:by-fan`,
    sessionOwners: `${tag}:sessions:owner`,
    claimedFans: `${tag}:claimed`,
    admissions: `${tag}:admissions`,
    admissionClaims: `${tag}:admissions:claims`,
    waitSamples: `${tag}:waits`,
    lease: `${tag}:lease`,
    leaseFence: `${tag}:lease:fence`,
    ticker: `${tag}:ticker`,
    stateOutbox: `${tag}:outbox`,
    proofOfWorkSpentPrefix: `${tag}:pow:`,
  };
}
