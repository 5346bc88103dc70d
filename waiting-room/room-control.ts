// Organizer and booking-side control of a room: configure, rate, pause/resume, close, sold out, open.
// State changes are announced to waiting fans at once (not on the next tick); the ticker applies
// rate and capacity on its next tick. Transitions are checked here, before the write. Every change of
// state, rate or capacity also queues one queue.state-changed for Kafka, in the script that makes it.
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../lib/redis.js';
import { z } from 'zod';
import { runScript } from '../lib/redis-scripts.js';
import type { Platform } from '../lib/platform.js';
import { QueueStore } from './queue-store.js';
import type { RoomConfig, RoomState } from './room-config.js';
import { ServingBroadcaster } from './serving-broadcast.js';
import { WaitingRoomError } from './waiting-room-error.js';
import { defineWaitingRoomScripts, waitingRoomScripts } from './waiting-room-scripts.js';
import { ActiveEvents } from './active-events.js';
import { summariseWaits, type WaitEstimateSummary, type WaitSample } from './wait-estimates.js';
import { RoomCheckpoints } from './room-checkpoints.js';

export interface RoomSettings {
  opensAt: number;
  admissionRatePerMinute: number;
  maxActiveShoppers: number;
  passTtlSeconds: number;
  claimWindowSeconds?: number | undefined;
  /** Leading zero bits a fan's browser finds before joining (proof-of-work.ts); 0 or absent = off. */
  proofOfWorkBits?: number | undefined;
}

export interface RoomStats {
  eventId: string;
  state: RoomState;
  /** Fans with a number not yet served, plus fans in the prequeue. */
  waiting: number;
  prequeued: number;
  serving: number;
  issued: number;
  activeShoppers: number;
  admissionsLastMinute: number;
  admissionRatePerMinute: number;
  maxActiveShoppers: number;
  proofOfWorkBits: number;
}

export interface RoomControlOptions {
  redis: RedisClient;
  store: QueueStore;
  activeEvents: ActiveEvents;
  broadcaster: ServingBroadcaster;
  clock: () => number;
  /** Seed of the prequeue shuffle; production draws a fresh one and logs it for audits. */
  openSeed?: () => string;
  /** The rooms' durable copy: every control change is written there at once (room-recovery.ts). */
  checkpoints?: RoomCheckpoints;
}

const transitions: Record<'pause' | 'resume' | 'close' | 'soldout', { from: readonly RoomState[]; to: RoomState }> = {
  pause: { from: ['open'], to: 'paused' },
  resume: { from: ['paused'], to: 'open' },
  close: { from: ['scheduled', 'prequeue', 'open', 'paused'], to: 'closed' },
  soldout: { from: ['scheduled', 'prequeue', 'open', 'paused', 'closed'], to: 'soldout' },
};

const transitionReplySchema = z.tuple([z.enum(['ok', 'same', 'refused']), z.string()]);

export class RoomControl {
  constructor(private readonly options: RoomControlOptions) {}

  /** Creates the room (in prequeue until opened) or updates its settings, leaving its state alone. */
  async configureRoom(eventId: string, settings: RoomSettings): Promise<{ config: RoomConfig; created: boolean }> {
    const existing = await this.options.store.readConfig(eventId);
    const nowMs = this.options.clock();
    const config =
      existing === null
        ? await this.options.store.createRoom(eventId, { ...settings, state: 'prequeue' }, nowMs)
        : await this.options.store.configure(eventId, settings, nowMs);
    await this.options.activeEvents.add(eventId);
    // The new room's seed commitment is public from now on: its durable copy must exist before this
    // returns (a publish that fails here is retried), so a rebuilt room keeps the same commitment.
    await this.checkpoint(eventId);
    await this.announce(eventId);
    return { config, created: existing === null };
  }

  async setRate(eventId: string, admissionRatePerMinute: number): Promise<RoomConfig> {
    await this.requireConfig(eventId);
    const config = await this.options.store.configure(eventId, { admissionRatePerMinute }, this.options.clock());
    await this.checkpoint(eventId);
    await this.announce(eventId);
    return config;
  }

  /** Joins after this need a solution at the new difficulty (the join script reads it each time). */
  async setProofOfWork(eventId: string, proofOfWorkBits: number): Promise<RoomConfig> {
    await this.requireConfig(eventId);
    return this.options.store.configure(eventId, { proofOfWorkBits }, this.options.clock());
  }

  pause(eventId: string): Promise<RoomConfig> {
    return this.transition(eventId, 'pause');
  }

  resume(eventId: string): Promise<RoomConfig> {
    return this.transition(eventId, 'resume');
  }

  close(eventId: string): Promise<RoomConfig> {
    return this.transition(eventId, 'close');
  }

  /** Called by the booking side when the last seat sells; fans are told at once. */
  markSoldOut(eventId: string): Promise<RoomConfig> {
    return this.transition(eventId, 'soldout');
  }

  /** Numbers the prequeue (shuffled) and opens the sale; safe to call again. */
  async open(eventId: string): Promise<{ config: RoomConfig; outcome: string; numbered: number; seed: string }> {
    await this.requireConfig(eventId);
    // Only a room created before seed commitments uses this one; the others were shuffled with
    // their committed seed, which the open revealed in the config (decision 0014).
    const fallbackSeed = this.options.openSeed?.() ?? randomUUID();
    const result = await this.options.store.openSale(eventId, { seed: fallbackSeed, nowMs: this.options.clock() });
    await this.checkpoint(eventId);
    await this.announce(eventId);
    const seed = (await this.options.redis.hget(this.options.store.keys(eventId).config, 'fairnessSeed')) ?? fallbackSeed;
    return { config: await this.requireConfig(eventId), outcome: result.outcome, numbered: result.numbered, seed };
  }

  async stats(eventId: string): Promise<RoomStats> {
    const config = await this.requireConfig(eventId);
    const nowMs = this.options.clock();
    const keys = this.options.store.keys(eventId);
    const [update, prequeued, prequeueOpening, activeShoppers, admissionsLastMinute] = await Promise.all([
      this.options.store.snapshot(eventId),
      this.options.redis.scard(keys.prequeue),
      this.options.redis.scard(keys.prequeueOpening),
      this.options.store.activeSessionCount(eventId, nowMs),
      this.options.store.admissionsInLastMinute(eventId, nowMs),
    ]);
    const serving = update?.serving ?? 0;
    const issued = update?.issued ?? 0;
    const waitingInPrequeue = prequeued + prequeueOpening;
    return {
      eventId,
      state: config.state,
      waiting: Math.max(0, issued - serving) + waitingInPrequeue,
      prequeued: waitingInPrequeue,
      serving,
      issued,
      activeShoppers,
      admissionsLastMinute,
      admissionRatePerMinute: config.admissionRatePerMinute,
      maxActiveShoppers: config.maxActiveShoppers,
      proofOfWorkBits: config.proofOfWorkBits,
    };
  }

  /** The wait each of the last admitted fans was shown at join beside the wait they had (newest first). */
  async waitEstimates(eventId: string): Promise<{ eventId: string; samples: WaitSample[]; summary: WaitEstimateSummary }> {
    await this.requireConfig(eventId);
    const samples = await this.options.store.recentWaits(eventId);
    return { eventId, samples, summary: summariseWaits(samples) };
  }

  /** Sends the current snapshot to the event's room now. */
  async announce(eventId: string): Promise<void> {
    const update = await this.options.store.snapshot(eventId);
    if (update !== null) this.options.broadcaster.publish(update);
  }

  private async transition(eventId: string, action: keyof typeof transitions): Promise<RoomConfig> {
    const { from, to } = transitions[action];
    defineWaitingRoomScripts(this.options.redis);
    const keys = this.options.store.keys(eventId);
    // The mark must be in Redis before the script runs (QueueStateOutbox.markPending); the store's
    // connection may not be this one, so wait for it rather than rely on pipelining.
    await this.options.store.stateOutbox.markPending(eventId);
    const [outcome, state] = transitionReplySchema.parse(
      await runScript(this.options.redis, waitingRoomScripts.transitionState.name, [keys.config, keys.stateOutbox], [to, randomUUID(), this.options.clock(), ...from]),
    );
    if (outcome === 'refused' && state === '') {
      throw new WaitingRoomError('not_configured', 'no waiting room is configured for this event', { eventId });
    }
    if (outcome === 'refused') throw new WaitingRoomError('invalid_transition', `cannot ${action} a room that is ${state}`, { eventId, state });
    await this.checkpoint(eventId);
    // Announced even when already in that state: a repeated close is also a "tell everyone now".
    await this.announce(eventId);
    // Closed and sold out are final: the ticker stops spending a tick on them (subscribers still get
    // the final state in their subscribe ack).
    if (to === 'closed' || to === 'soldout') await this.options.activeEvents.remove(eventId);
    return this.requireConfig(eventId);
  }

  private async checkpoint(eventId: string): Promise<void> {
    await this.options.checkpoints?.checkpoint(eventId, this.options.clock());
  }

  private async requireConfig(eventId: string): Promise<RoomConfig> {
    const config = await this.options.store.readConfig(eventId);
    if (config === null) throw new WaitingRoomError('not_configured', 'no waiting room is configured for this event', { eventId });
    return config;
  }
}

/** A room control over the platform's own Redis keys, for roles other than admission (the api
 * publishes events and marks them sold out through one). */
export function platformRoomControl(platform: Platform): RoomControl {
  const redis = platform.redis();
  return new RoomControl({
    redis,
    store: new QueueStore({ redis }),
    activeEvents: new ActiveEvents(redis),
    broadcaster: new ServingBroadcaster(redis),
    clock: Date.now,
    checkpoints: new RoomCheckpoints(platform.prisma(), redis),
  });
}
