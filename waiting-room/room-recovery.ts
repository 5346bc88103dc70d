// Brings a waiting room back after Redis lost it entirely (docs/decisions/0016): the room from its
// durable checkpoint, only for an event the catalog still has on sale, and a fan's place from their
// signed queue token. Any role may call it at any time: the rebuild script writes only a room that has
// no config, so racing rebuilders and a live room are both safe.
import type { RedisClient } from '../lib/redis.js';
import type { PrismaClient } from '../lib/mysql.js';
import type { Logger } from '../lib/log.js';
import { z } from 'zod';
import { runScript } from '../lib/redis-scripts.js';
import type { ActiveEvents } from './active-events.js';
import { fanIdSchema } from './queue-keys.js';
import type { QueueTokenClaims } from './queue-tokens.js';
import { RoomCheckpoints, type RoomCheckpoint } from './room-checkpoints.js';
import type { RoomState } from './room-config.js';
import { defineWaitingRoomScripts, waitingRoomScripts } from './waiting-room-scripts.js';

/** Catalog statuses (catalog/event-status.ts) whose room is rebuilt, and the state it comes back in. */
const ROOM_STATE_FOR_EVENT_STATUS: Record<string, RoomState | 'as-checkpointed'> = {
  published: 'as-checkpointed',
  on_sale: 'as-checkpointed',
  sold_out: 'soldout',
};
/** An unknown or ended event is not looked up in MySQL again for this long (404 storms stay in memory). */
const NEGATIVE_CACHE_MS = 5_000;
const NEGATIVE_CACHE_LIMIT = 10_000;
/** A rebuilt room hands out new numbers at least this far above the checkpoint's `issued`. */
const MIN_NUMBER_GAP = 10;
/**
 * `serving` may have moved on since the checkpoint (never faster than the rate): the rebuilt room
 * assumes it did, for at most this long, so a fan already told "your turn" is not sent back to wait.
 * Capacity stays guarded: claim-pass checks the (rebuilt) admitted capacity on every claim.
 */
const MAX_SERVING_CATCH_UP_MS = 5_000;

export type RestoreOutcome = 'restored' | 'kept' | 'prequeue' | 'none' | 'no-room';

const restoreReplySchema = z.union([
  z.tuple([z.literal('number'), z.number(), z.union([z.literal(0), z.literal(1)])]),
  z.tuple([z.literal('prequeue'), z.union([z.literal(0), z.literal(1)])]),
  z.tuple([z.literal('none')]),
  z.tuple([z.literal('no_room')]),
]);

export interface RoomRecoveryOptions {
  redis: RedisClient;
  prisma: PrismaClient;
  activeEvents: ActiveEvents;
  clock: () => number;
  log?: Logger;
  keyPrefix?: string;
}

export class RoomRecovery {
  readonly checkpoints: RoomCheckpoints;
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly notRebuildable = new Map<string, number>();

  constructor(private readonly options: RoomRecoveryOptions) {
    this.checkpoints = new RoomCheckpoints(options.prisma, options.redis, options.keyPrefix);
    defineWaitingRoomScripts(options.redis);
  }

  /**
   * True when the event has a room in Redis, rebuilding it from its checkpoint if Redis lost it.
   * One rebuild per event at a time in this process; a miss is remembered for a few seconds.
   */
  async ensureRoom(eventId: string): Promise<boolean> {
    if ((await this.options.redis.exists(this.checkpoints.keys(eventId).config)) === 1) return true;
    const missUntil = this.notRebuildable.get(eventId);
    if (missUntil !== undefined && missUntil > this.options.clock()) return false;
    let running = this.inFlight.get(eventId);
    if (running === undefined) {
      running = this.rebuild(eventId).finally(() => this.inFlight.delete(eventId));
      this.inFlight.set(eventId, running);
    }
    return running;
  }

  private async rebuild(eventId: string): Promise<boolean> {
    const [checkpoint, event] = await Promise.all([
      this.checkpoints.read(eventId),
      this.options.prisma.event.findUnique({ where: { id: eventId }, select: { status: true, saleOpensAt: true } }).catch(() => null),
    ]);
    const stateRule = event === null ? undefined : ROOM_STATE_FOR_EVENT_STATUS[event.status];
    if (checkpoint === null || event === null || stateRule === undefined) {
      if (this.notRebuildable.size >= NEGATIVE_CACHE_LIMIT) this.notRebuildable.clear();
      this.notRebuildable.set(eventId, this.options.clock() + NEGATIVE_CACHE_MS);
      return false;
    }
    const state = stateRule === 'as-checkpointed' ? checkpoint.config.state : stateRule;
    const outcome = await this.writeRoom({ ...checkpoint, config: { ...checkpoint.config, state } });
    if (state !== 'closed' && state !== 'soldout') await this.options.activeEvents.add(eventId);
    this.options.log?.warn({ eventId, outcome, state, serving: checkpoint.serving, issued: checkpoint.issued, checkpointAgeMs: this.options.clock() - checkpoint.checkpointedAtMs }, 'waiting room rebuilt from its checkpoint');
    return true;
  }

  private async writeRoom(checkpoint: RoomCheckpoint): Promise<string> {
    const keys = this.checkpoints.keys(checkpoint.eventId);
    const { config } = checkpoint;
    // Numbers issued after the checkpoint are unknown: skip twice as many as one interval gave out,
    // so a new join never gets a number a fan's token still carries (restore-place raises `issued`
    // past any restored number too).
    const issued = checkpoint.issued + Math.max(MIN_NUMBER_GAP, 2 * checkpoint.issuedPerCheckpoint);
    const nowMs = this.options.clock();
    const sinceCheckpointMs = Math.min(MAX_SERVING_CATCH_UP_MS, Math.max(0, nowMs - checkpoint.checkpointedAtMs));
    const caughtUp = config.state === 'open' ? Math.ceil((config.admissionRatePerMinute * sinceCheckpointMs) / 60_000) : 0;
    const serving = Math.min(checkpoint.serving + caughtUp, checkpoint.issued + checkpoint.issuedPerCheckpoint);
    const capacity = checkpoint.admittedCapacity.filter(([expiresAtMs]) => expiresAtMs > nowMs).flatMap(([expiresAtMs, count]) => [String(expiresAtMs), String(count)]);
    const fields: string[] = [
      'state', config.state,
      'admissionRatePerMinute', String(config.admissionRatePerMinute),
      'maxActiveShoppers', String(config.maxActiveShoppers),
      'passTtlSeconds', String(config.passTtlSeconds),
      'opensAt', String(config.opensAt),
      'claimWindowSeconds', String(config.claimWindowSeconds),
      'fairnessCommitment', checkpoint.fairnessCommitment,
    ];
    const revealed = checkpoint.fairnessFirstNumber !== null;
    if (revealed) fields.push('fairnessSeed', checkpoint.fairnessSeed, 'fairnessFirstNumber', String(checkpoint.fairnessFirstNumber));
    return String(
      await runScript(this.options.redis, waitingRoomScripts.rebuildRoom.name, [keys.config, keys.serving, keys.issued, keys.fairnessSeed, keys.active], [
        Math.max(checkpoint.serving, serving),
        issued,
        revealed ? '' : checkpoint.fairnessSeed,
        ...capacity,
        '--',
        ...fields,
      ]),
    );
  }

  /**
   * Gives the fan back the place their verified queue token names when Redis no longer has it.
   * Idempotent: a fan who has a number keeps it ("kept"); only a missing place is restored.
   */
  async restorePlace(claims: QueueTokenClaims): Promise<RestoreOutcome> {
    if (claims.number === null && !claims.prequeue) return 'none';
    const keys = this.checkpoints.keys(claims.eventId);
    const reply = restoreReplySchema.parse(
      await runScript(
        this.options.redis,
        waitingRoomScripts.restorePlace.name,
        [keys.config, keys.fans, keys.issued, keys.prequeue, keys.prequeueOpening, keys.prequeueLog],
        [fanIdSchema.parse(claims.fanId), claims.number === null ? '' : claims.number],
      ),
    );
    if (reply[0] === 'number') return reply[2] === 1 ? 'restored' : 'kept';
    if (reply[0] === 'prequeue') return 'prequeue';
    if (reply[0] === 'none') return 'none';
    return 'no-room';
  }

  /** Rebuilds every live room Redis lost; the admission role runs it every few seconds. */
  async sweep(freshWithinMs: number): Promise<string[]> {
    const rebuilt: string[] = [];
    for (const eventId of await this.checkpoints.liveEventIds(this.options.clock() - freshWithinMs)) {
      if ((await this.options.redis.exists(this.checkpoints.keys(eventId).config)) === 1) continue;
      if (await this.ensureRoom(eventId)) rebuilt.push(eventId);
    }
    return rebuilt;
  }
}
