// The waiting room's Redis state for every event: config, joining, opening the prequeue, status,
// and admitted shopping sessions. Invariants (DESIGN §8.2, §8.3): one number per fan, never reused;
// admitted-but-unexpired sessions never exceed maxActiveShoppers. Config changes that matter outside
// the room (state, rate, capacity) also queue a queue.state-changed (queue-state-outbox.ts).
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../lib/redis.js';
import { z } from 'zod';
import { openPrequeuedSale, type OpenSaleOptions, type OpenSaleResult } from './prequeue-opening.js';
import { DEFAULT_KEY_PREFIX, fanIdSchema, waitingRoomKeys, type WaitingRoomKeys } from './queue-keys.js';
import { QueueStateOutbox } from './queue-state-outbox.js';
import { fairnessRecordSchema, hashedFanId, seedCommitment, type FairnessRecord } from './fairness-proof.js';
import { randomSeed } from './seeded-random.js';
import { runScript } from '../lib/redis-scripts.js';
import {
  roomConfigFromHash,
  roomConfigSchema,
  roomConfigToFields,
  type RoomConfig,
  type RoomConfigInput,
  type RoomConfigUpdate,
  roomStateSchema,
  type RoomState,
} from './room-config.js';
import { WaitingRoomError } from './waiting-room-error.js';
import { parseWaitSample, WAIT_SAMPLE_LIMIT, type JoinEstimate, type WaitSample } from './wait-estimates.js';
import { defineWaitingRoomScripts, waitingRoomScripts } from './waiting-room-scripts.js';

export type JoinRefusalReason = 'not_configured' | 'closed' | 'soldout';
/** The room asks for proof of work and this join brought none, one solved too easily, or a spent one. */
export type ProofOfWorkRefusalReason = 'proof_of_work_required' | 'proof_of_work_outdated' | 'proof_of_work_replayed';
export type JoinResult =
  | { status: 'numbered'; number: number; newlyIssued: boolean; serving: number; admissionRatePerMinute: number | null }
  | { status: 'prequeue'; opensInMs: number }
  | { status: 'refused'; reason: JoinRefusalReason }
  | { status: 'proof_of_work'; reason: ProofOfWorkRefusalReason; requiredBits: number };

/** A solution already checked by proof-of-work.ts: the join spends its salt once. */
export interface JoinProof {
  salt: string;
  bits: number;
  expiresAtMs: number;
}

// A spent salt outlives its challenge by this much, so replicas whose clocks differ a little still
// see a replay as spent.
const SPENT_PROOF_MARGIN_MS = 60_000;

export interface FanStatus {
  /** null until the fan has a number (not joined, or waiting in the prequeue). */
  number: number | null;
  prequeued: boolean;
  serving: number;
  issued: number;
  state: RoomState | null;
  admissionRatePerMinute: number | null;
}

/** What every fan of an event may know, and nothing per fan: the socket packet and the public state. */
export interface RoomSnapshot {
  eventId: string;
  serving: number;
  issued: number;
  admissionRatePerMinute: number;
  state: RoomState;
}

export type ClaimRefusalReason = 'not_in_queue' | 'not_yet_admitted' | 'capacity_full' | 'closed' | 'soldout';
export type ClaimResult =
  | { status: 'admitted'; sessionId: string; expiresAtMs: number; number: number; reused: boolean }
  | { status: 'refused'; reason: ClaimRefusalReason; number: number | null; serving: number | null };

const joinReplySchema = z.union([
  z.tuple([z.literal('number'), z.number(), z.union([z.literal(0), z.literal(1)]), z.number(), z.number()]),
  z.tuple([z.literal('prequeue'), z.number()]),
  z.tuple([z.literal('refused'), z.enum(['not_configured', 'closed', 'soldout'])]),
  z.tuple([z.literal('refused'), z.enum(['proof_of_work_required', 'proof_of_work_outdated', 'proof_of_work_replayed']), z.number()]),
]);
const statusReplySchema = z.tuple([z.number(), z.number(), z.number(), z.number(), z.string(), z.number()]);
const claimReplySchema = z.union([
  z.tuple([z.literal('session'), z.string(), z.number(), z.number(), z.union([z.literal(0), z.literal(1)])]),
  z.tuple([
    z.literal('refused'),
    z.enum(['not_in_queue', 'not_yet_admitted', 'capacity_full', 'closed', 'soldout']),
    z.number(),
    z.number(),
  ]),
]);
const nowMsSchema = z.number().int().min(0);

export interface QueueStoreOptions {
  redis: RedisClient;
  /** Tests pass a unique prefix so suites never see each other's keys. */
  keyPrefix?: string;
}

export class QueueStore {
  private readonly redis: RedisClient;
  private readonly keyPrefix: string;
  /** Where state, rate and capacity changes are queued for Kafka (queue.state-changed). */
  readonly stateOutbox: QueueStateOutbox;

  constructor(options: QueueStoreOptions) {
    this.redis = options.redis;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    defineWaitingRoomScripts(this.redis);
    this.stateOutbox = new QueueStateOutbox(this.redis, this.keyPrefix);
  }

  keys(eventId: string): WaitingRoomKeys {
    return waitingRoomKeys(eventId, this.keyPrefix);
  }

  /**
   * Creates the room config (every field required). `nowMs` is the time of its queue.state-changed;
   * `fairnessSeed` is the pre-queue shuffle's secret seed, committed to now (tests pass their own).
   */
  async createRoom(eventId: string, config: RoomConfigInput, nowMs: number = Date.now(), fairnessSeed: string = randomSeed()): Promise<RoomConfig> {
    return this.configure(eventId, roomConfigSchema.parse(config), nowMs, fairnessSeed);
  }

  /**
   * Partial update (rate, pause/resume/close, capacity); the ticker applies it on its next tick. A
   * change of state, rate or max active shoppers also writes its queue.state-changed to the outbox.
   */
  async configure(eventId: string, update: RoomConfigUpdate, nowMs: number = Date.now(), fairnessSeed: string = randomSeed()): Promise<RoomConfig> {
    const keys = this.keys(eventId);
    // The seed only takes if the room has none yet (its first write): configure.lua keeps the first.
    const args = [randomUUID(), nowMsSchema.parse(nowMs), fairnessSeed, seedCommitment(fairnessSeed), ...roomConfigToFields(update)];
    let reply: unknown;
    try {
      // The mark must be in Redis before the script appends (QueueStateOutbox.markPending), so it is
      // awaited: on a cluster the pending set and the room live on different nodes, and two commands
      // sent in one tick may run in either order.
      await this.stateOutbox.markPending(eventId);
      reply = await runScript(this.redis, waitingRoomScripts.configure.name, [keys.config, keys.prequeue, keys.prequeueOpening, keys.stateOutbox, keys.fairnessSeed], args);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('PREQUEUE_PENDING')) {
        throw new WaitingRoomError('prequeue_pending', 'pre-queued fans are waiting: open the sale with openSale', { eventId });
      }
      throw error;
    }
    const config = roomConfigFromHash(pairsToRecord(z.array(z.string()).parse(reply)));
    if (config === null) throw new WaitingRoomError('not_configured', 'room config is incomplete', { eventId });
    return config;
  }

  async readConfig(eventId: string): Promise<RoomConfig | null> {
    return roomConfigFromHash(await this.redis.hgetall(this.keys(eventId).config));
  }

  /**
   * Idempotent join; `nowMs` feeds the countdown a pre-queued fan's page shows and the lifetime of a
   * spent proof. A room with proof of work refuses a new place without `proof` (a fan who already
   * holds one gets it back without); the same proof never buys two places.
   */
  async join(eventId: string, fanId: string, nowMs: number, proof?: JoinProof): Promise<JoinResult> {
    const keys = this.keys(eventId);
    const now = nowMsSchema.parse(nowMs);
    const reply = joinReplySchema.parse(
      await runScript(
        this.redis,
        waitingRoomScripts.join.name,
        // Without a proof the proof key is never touched; it is named so the key count stays fixed.
        [keys.config, keys.fans, keys.issued, keys.prequeue, keys.prequeueOpening, keys.prequeueLog, `${keys.proofOfWorkSpentPrefix}${proof?.salt ?? ''}`, keys.serving],
        proof === undefined
          ? [fanIdSchema.parse(fanId)]
          : [fanIdSchema.parse(fanId), proof.salt, String(proof.bits), String(Math.max(1, proof.expiresAtMs - now) + SPENT_PROOF_MARGIN_MS)],
      ),
    );
    if (reply[0] === 'number') {
      return { status: 'numbered', number: reply[1], newlyIssued: reply[2] === 1, serving: reply[3], admissionRatePerMinute: reply[4] < 0 ? null : reply[4] };
    }
    if (reply[0] === 'prequeue') return { status: 'prequeue', opensInMs: Math.max(0, reply[1] - now) };
    if (reply.length === 3) return { status: 'proof_of_work', reason: reply[1], requiredBits: reply[2] };
    return { status: 'refused', reason: reply[1] };
  }

  /** The room's proof-of-work difficulty (0 = off), what a challenge is issued at; null without a room. */
  async proofOfWorkBits(eventId: string): Promise<number | null> {
    const [state, bits] = await this.redis.hmget(this.keys(eventId).config, 'state', 'proofOfWorkBits');
    return state === null ? null : Number(bits ?? '0');
  }

  /** One consistent read of the event's public numbers; null when the event has no waiting room. */
  async snapshot(eventId: string): Promise<RoomSnapshot | null> {
    const keys = this.keys(eventId);
    // MULTI: one consistent snapshot (the keys share a hash tag, so this works on a cluster too).
    const replies = await this.redis.multi().get(keys.serving).get(keys.issued).hmget(keys.config, 'state', 'admissionRatePerMinute').exec();
    if (replies === null) throw new Error('serving snapshot transaction was aborted');
    for (const [error] of replies) if (error) throw error;
    const serving = replies[0]?.[1] as string | null;
    const issued = replies[1]?.[1] as string | null;
    const config = replies[2]?.[1] as Array<string | null>;
    const state = roomStateSchema.safeParse(config[0]);
    if (!state.success) return null;
    return {
      eventId,
      serving: Number(serving ?? '0'),
      issued: Number(issued ?? '0'),
      admissionRatePerMinute: Number(config[1] ?? '0'),
      state: state.data,
    };
  }

  /**
   * The event's fairness record: the seed's commitment from the start; after the open also the
   * revealed seed, the first pre-queue number and the membership in join order (hashed fan ids) with
   * the number each fan holds now. Null when the event has no waiting room.
   */
  async fairnessRecord(eventId: string): Promise<FairnessRecord | null> {
    const keys = this.keys(eventId);
    const [state, commitment, seed, firstNumber] = await this.redis.hmget(keys.config, 'state', 'fairnessCommitment', 'fairnessSeed', 'fairnessFirstNumber');
    if (state === null) return null;
    const revealed = seed !== null && firstNumber !== null;
    const fanIds = revealed ? await this.redis.lrange(keys.prequeueMembership, 0, -1) : [];
    const membership: FairnessRecord['membership'] = [];
    for (let start = 0; start < fanIds.length; start += 10_000) {
      const batch = fanIds.slice(start, start + 10_000);
      const numbers = await this.redis.hmget(keys.fans, ...batch);
      batch.forEach((fanId, index) => {
        const number = numbers[index];
        membership.push({ fan: hashedFanId(eventId, fanId), number: number === null || number === undefined ? null : Number(number) });
      });
    }
    return fairnessRecordSchema.parse({ eventId, commitment, seed: revealed ? seed : null, firstNumber: revealed ? Number(firstNumber) : null, membership });
  }

  openSale(eventId: string, options: OpenSaleOptions): Promise<OpenSaleResult> {
    return openPrequeuedSale(this.redis, eventId, this.keys(eventId), options, () => this.stateOutbox.markPending(eventId));
  }

  async status(eventId: string, fanId: string): Promise<FanStatus> {
    const keys = this.keys(eventId);
    const [number, prequeued, serving, issued, state, rate] = statusReplySchema.parse(
      await runScript(
        this.redis,
        waitingRoomScripts.status.name,
        [keys.config, keys.fans, keys.issued, keys.serving, keys.prequeue, keys.prequeueOpening],
        [fanIdSchema.parse(fanId)],
      ),
    );
    return {
      number: number < 0 ? null : number,
      prequeued: prequeued === 1,
      serving,
      issued,
      state: state === '' ? null : (state as RoomState),
      admissionRatePerMinute: rate < 0 ? null : rate,
    };
  }

  /**
   * Starts the fan's shopping session if their number has been served and capacity is left; a fan
   * with a live session gets that same session back. The pass itself is signed with lib/tokens/passes.
   * `joined` (from the queue token) makes the first claim record estimate vs actual (wait-estimates.ts).
   */
  async claimPass(eventId: string, fanId: string, nowMs: number, newSessionId: string = randomUUID(), joined?: JoinEstimate): Promise<ClaimResult> {
    const keys = this.keys(eventId);
    const reply = claimReplySchema.parse(
      await runScript(
        this.redis,
        waitingRoomScripts.claimPass.name,
        [
          keys.config,
          keys.fans,
          keys.serving,
          keys.active,
          keys.sessionsByFan,
          keys.sessionOwners,
          keys.claimedFans,
          keys.admissions,
          keys.admissionClaims,
          keys.waitSamples,
        ],
        [
          fanIdSchema.parse(fanId),
          nowMsSchema.parse(nowMs),
          z.string().min(1).max(128).parse(newSessionId),
          joined === undefined ? '' : nowMsSchema.parse(joined.joinedAtMs),
          joined === undefined ? '' : Math.max(0, Math.round(joined.estimatedWaitSeconds)),
          WAIT_SAMPLE_LIMIT,
        ],
      ),
    );
    if (reply[0] === 'session') {
      return { status: 'admitted', sessionId: reply[1], expiresAtMs: reply[2], number: reply[3], reused: reply[4] === 1 };
    }
    return {
      status: 'refused',
      reason: reply[1],
      number: reply[2] < 0 ? null : reply[2],
      serving: reply[3] < 0 ? null : reply[3],
    };
  }

  /** Returns the session's capacity at once (checkout finished, fan left). */
  async releaseSession(eventId: string, sessionId: string): Promise<boolean> {
    const keys = this.keys(eventId);
    const removed = await runScript(
      this.redis,
      waitingRoomScripts.releaseSession.name,
      [keys.active, keys.sessionsByFan, keys.sessionOwners],
      [sessionId],
    );
    return removed === 1;
  }

  /** Sessions counted against maxActiveShoppers: those expiring after `nowMs`. */
  async activeSessionCount(eventId: string, nowMs: number): Promise<number> {
    return this.redis.zcount(this.keys(eventId).active, `(${nowMs}`, '+inf');
  }

  /** The last admitted fans' estimate at join vs actual wait, newest first (organizer dashboard). */
  async recentWaits(eventId: string, limit: number = WAIT_SAMPLE_LIMIT): Promise<WaitSample[]> {
    const entries = await this.redis.lrange(this.keys(eventId).waitSamples, 0, Math.min(limit, WAIT_SAMPLE_LIMIT) - 1);
    return entries.flatMap((entry) => parseWaitSample(entry) ?? []);
  }

  /** Numbers admitted by the ticker in the minute before `nowMs` (for dashboards and metrics). */
  async admissionsInLastMinute(eventId: string, nowMs: number): Promise<number> {
    const batches = await this.redis.zrange(this.keys(eventId).admissions, 0, -1);
    return batches.reduce((total, batch) => {
      const [from, to, admittedAtMs] = batch.split(':').map(Number);
      return admittedAtMs !== undefined && admittedAtMs > nowMs - 60_000 ? total + (to ?? 0) - (from ?? 0) : total;
    }, 0);
  }
}

function pairsToRecord(pairs: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let index = 0; index + 1 < pairs.length; index += 2) record[pairs[index] as string] = pairs[index + 1] as string;
  return record;
}
