// Per event, the leader advances `serving` once per tick (rate × elapsed, fenced in Lua); the others
// keep trying to take the lease, and report when it lapses so the loop can try again at that moment:
// a dead leader is replaced within one lease period of its last renewal, not one lease plus a tick.
// Time comes from the injected clock and `tick(nowMs)` is called directly by tests; start() is the loop.
import type { RedisClient } from '../lib/redis.js';
import { LeaderLease } from './leader-lease.js';
import { advanceServing, type AdvanceResult } from './serving-advance.js';

export interface AdmissionTickerOptions {
  redis: RedisClient;
  holderId: string;
  leaseTtlMs: number;
  clock: () => number;
  /** The events this process ticks for (e.g. read from the catalog); called every tick. */
  listEventIds: () => Promise<readonly string[]> | readonly string[];
  keyPrefix?: string;
}

export type EventTickReport =
  | { eventId: string; role: 'follower'; leaderId: string; leaseExpiresAtMs: number }
  | { eventId: string; role: 'leader'; fencingToken: string; advance: AdvanceResult };

export class AdmissionTicker {
  readonly lease: LeaderLease;
  private readonly redis: RedisClient;
  private readonly clock: () => number;
  private readonly listEventIds: AdmissionTickerOptions['listEventIds'];
  private readonly keyPrefix: string | undefined;
  /** eventId -> fencing token this process believes it holds. */
  private readonly heldTokens = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(options: AdmissionTickerOptions) {
    this.redis = options.redis;
    this.clock = options.clock;
    this.listEventIds = options.listEventIds;
    this.keyPrefix = options.keyPrefix;
    this.lease = new LeaderLease({
      redis: options.redis,
      holderId: options.holderId,
      leaseTtlMs: options.leaseTtlMs,
      clock: options.clock,
      ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
    });
  }

  async tick(nowMs: number = this.clock()): Promise<EventTickReport[]> {
    const eventIds = await this.listEventIds();
    return Promise.all(eventIds.map((eventId) => this.tickEvent(eventId, nowMs)));
  }

  private async tickEvent(eventId: string, nowMs: number): Promise<EventTickReport> {
    const token = await this.holdLease(eventId, nowMs);
    if (typeof token !== 'string') return { eventId, role: 'follower', leaderId: token.leaderId, leaseExpiresAtMs: token.expiresAtMs };
    const advance = await advanceServing(this.redis, eventId, token, nowMs, this.keyPrefix);
    if (advance.outcome === 'fenced') this.heldTokens.delete(eventId);
    return { eventId, role: 'leader', fencingToken: token, advance };
  }

  /** Renews a lease we hold, or tries to acquire one; returns our token or who leads instead. */
  private async holdLease(eventId: string, nowMs: number): Promise<string | { leaderId: string; expiresAtMs: number }> {
    const heldToken = this.heldTokens.get(eventId);
    if (heldToken !== undefined) {
      if ((await this.lease.renew(eventId, heldToken, nowMs)) !== null) return heldToken;
      this.heldTokens.delete(eventId);
    }
    const acquisition = await this.lease.acquire(eventId, nowMs);
    if (!acquisition.held) return { leaderId: acquisition.holderId, expiresAtMs: acquisition.expiresAtMs };
    this.heldTokens.set(eventId, acquisition.fencingToken);
    return acquisition.fencingToken;
  }

  isLeader(eventId: string): boolean {
    return this.heldTokens.has(eventId);
  }

  /** Ticks every `intervalMs` until stop(); errors go to `onError` and the loop keeps going. */
  start(intervalMs: number, onError: (error: unknown) => void): void {
    if (this.timer !== undefined) return;
    let running = false;
    this.timer = setInterval(() => {
      if (running) return; // a slow Redis must not stack ticks
      running = true;
      this.tick()
        .catch(onError)
        .finally(() => {
          running = false;
        });
    }, intervalMs);
  }

  /** Stops ticking and hands back every lease so a successor takes over at once. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    const held = [...this.heldTokens.entries()];
    this.heldTokens.clear();
    await Promise.all(held.map(([eventId, token]) => this.lease.release(eventId, token)));
  }
}
