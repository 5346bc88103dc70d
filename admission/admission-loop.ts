// The admission role's loop: every tick, run the fenced AdmissionTicker for the active events, open
// sales whose open time has come, publish one `serving` packet per led event (O(events) per tick)
// and update the metrics. Only the leader of an event publishes, so each event gets one packet per tick.
// A follower whose leader's lease lapses before the next tick ticks once more at the lapse, so a
// SIGKILLed leader is replaced one lease after its last renewal; `serving` continues exactly because
// the ticker's progress (last tick, carry) lives in Redis, not in the leader.
import type { RedisClient } from '../lib/redis.js';
import type { Logger } from '../lib/log.js';
import type { QueueStore } from '../waiting-room/queue-store.js';
import { roomStateSchema } from '../waiting-room/room-config.js';
import type { ServingBroadcaster, ServingUpdate } from '../waiting-room/serving-broadcast.js';
import { forgetEventGauges, waitingRoomMetrics } from '../waiting-room/waiting-room-metrics.js';
import type { ActiveEvents } from '../waiting-room/active-events.js';
import { AdmissionTicker, type EventTickReport } from './admission-ticker.js';
import type { RoomControl } from '../waiting-room/room-control.js';
import type { RoomRecovery } from '../waiting-room/room-recovery.js';

export interface AdmissionLoopOptions {
  redis: RedisClient;
  store: QueueStore;
  control: RoomControl;
  activeEvents: ActiveEvents;
  broadcaster: ServingBroadcaster;
  holderId: string;
  leaseTtlMs: number;
  clock: () => number;
  log: Logger;
  keyPrefix?: string;
  /**
   * Redis-loss recovery (docs/decisions/0016): the leader checkpoints each room it leads at most once
   * per `checkpointIntervalMs`, and every replica rebuilds lost rooms every `sweepIntervalMs`.
   */
  recovery?: RoomRecovery;
  checkpointIntervalMs?: number;
  sweepIntervalMs?: number;
}

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 1_000;
export const DEFAULT_SWEEP_INTERVAL_MS = 2_000;
/** A room checkpointed within this long is one a leader ran lately: the sweep looks at those only. */
const SWEEP_FRESHNESS_MS = 15 * 60_000;

export class AdmissionLoop {
  readonly ticker: AdmissionTicker;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  /** One extra tick at the moment another replica's lease lapses (when that is before the next tick). */
  private takeoverTimer: NodeJS.Timeout | undefined;
  /** The earliest lapse of a lease another replica held at the last tick (undefined: we lead all). */
  private nextForeignLeaseExpiryMs: number | undefined;
  /** Events whose per-event gauges this process set: it drops them when it stops leading one. */
  private readonly measuredEvents = new Set<string>();
  private readonly checkpointedAtMs = new Map<string, number>();
  private lastSweepMs = 0;

  constructor(private readonly options: AdmissionLoopOptions) {
    this.ticker = new AdmissionTicker({
      redis: options.redis,
      holderId: options.holderId,
      leaseTtlMs: options.leaseTtlMs,
      clock: options.clock,
      listEventIds: () => options.activeEvents.list(),
      ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
    });
  }

  /** One tick for every active event; returns the packets it published (tests call this directly). */
  async tick(nowMs: number = this.options.clock()): Promise<ServingUpdate[]> {
    await this.sweepLostRooms(nowMs);
    const reports = await this.ticker.tick(nowMs);
    this.forgetUnledEvents(reports);
    const expiries = reports.flatMap((report) => (report.role === 'follower' ? [report.leaseExpiresAtMs] : []));
    this.nextForeignLeaseExpiryMs = expiries.length === 0 ? undefined : Math.min(...expiries);
    const updates = await Promise.all(
      reports.map((report) =>
        // One event's failure (say, a concurrent openSale) must not silence the others' packets.
        this.afterTick(report, nowMs).catch((error: unknown) => {
          this.options.log.warn({ err: error, eventId: report.eventId }, 'admission tick follow-up failed');
          return null;
        }),
      ),
    );
    return updates.filter((update): update is ServingUpdate => update !== null);
  }

  private async afterTick(report: EventTickReport, nowMs: number): Promise<ServingUpdate | null> {
    if (report.role !== 'leader' || report.advance.outcome === 'fenced') return null;
    const { eventId } = report;
    const { serving } = report.advance;
    let { issued, state: rawState } = report.advance;
    const [rate, opensAt, maxActiveShoppers] = await this.options.redis.hmget(this.options.store.keys(eventId).config, 'admissionRatePerMinute', 'opensAt', 'maxActiveShoppers');
    if ((rawState === 'prequeue' || rawState === 'scheduled') && Number(opensAt ?? Infinity) <= nowMs) {
      // The open time has come: the leader numbers the prequeue (announce is part of open()).
      const opened = await this.options.control.open(eventId);
      this.options.log.info({ eventId, numbered: opened.numbered, seed: opened.seed }, 'sale opened at its open time');
      rawState = opened.config.state;
      issued += opened.numbered;
    }
    const state = roomStateSchema.safeParse(rawState);
    if (!state.success) return null;
    const update: ServingUpdate = { eventId, serving, issued, admissionRatePerMinute: Number(rate ?? '0'), state: state.data };
    this.options.broadcaster.publish(update);
    await this.checkpointIfDue(eventId, nowMs);
    this.recordMetrics(update, {
      admittedNow: report.advance.admittedNow,
      activeShoppers: report.advance.activeSessions + report.advance.admittedUnclaimed,
      maxActiveShoppers: Number(maxActiveShoppers ?? '0'),
    });
    return update;
  }

  private recordMetrics(update: ServingUpdate, tick: { admittedNow: number; activeShoppers: number; maxActiveShoppers: number }): void {
    const metrics = waitingRoomMetrics();
    const event = { event: update.eventId };
    const waiting = Math.max(0, update.issued - update.serving);
    this.measuredEvents.add(update.eventId);
    metrics.fansWaiting.set(event, waiting);
    metrics.issued.set(event, update.issued);
    metrics.serving.set(event, update.serving);
    // The rate the ticker is meant to admit at right now: none unless the sale is open.
    metrics.admissionRatePerMinute.set(event, update.state === 'open' ? update.admissionRatePerMinute : 0);
    metrics.activeShoppers.set(event, tick.activeShoppers);
    metrics.maxActiveShoppers.set(event, tick.maxActiveShoppers);
    if (update.admissionRatePerMinute > 0) metrics.servingLagSeconds.set(event, (waiting / update.admissionRatePerMinute) * 60);
    if (tick.admittedNow > 0) metrics.admissions.inc(event, tick.admittedNow);
  }

  /** One row upsert per led event per interval, whatever the number of fans (bounded write rate). */
  private async checkpointIfDue(eventId: string, nowMs: number): Promise<void> {
    const recovery = this.options.recovery;
    if (recovery === undefined) return;
    const last = this.checkpointedAtMs.get(eventId) ?? 0;
    if (nowMs - last < (this.options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS)) return;
    this.checkpointedAtMs.set(eventId, nowMs);
    try {
      await recovery.checkpoints.checkpoint(eventId, nowMs);
    } catch (error) {
      // MySQL down must not stop admissions; the next interval tries again.
      this.options.log.warn({ err: error, eventId }, 'waiting room checkpoint failed');
    }
  }

  /** Rooms Redis lost (restarted empty) come back from their checkpoints, and into the active set. */
  private async sweepLostRooms(nowMs: number): Promise<void> {
    const recovery = this.options.recovery;
    if (recovery === undefined || nowMs - this.lastSweepMs < (this.options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS)) return;
    this.lastSweepMs = nowMs;
    try {
      const rebuilt = await recovery.sweep(SWEEP_FRESHNESS_MS);
      if (rebuilt.length > 0) this.options.log.warn({ eventIds: rebuilt }, 'waiting rooms rebuilt after a Redis loss');
    } catch (error) {
      this.options.log.warn({ err: error }, 'lost-room sweep failed');
    }
  }

  /** Another replica leads these events now (or they are no longer active): its gauges count, not ours. */
  private forgetUnledEvents(reports: readonly EventTickReport[]): void {
    const led = new Set(reports.filter((report) => report.role === 'leader').map((report) => report.eventId));
    for (const eventId of this.measuredEvents) {
      if (led.has(eventId)) continue;
      this.checkpointedAtMs.delete(eventId);
      forgetEventGauges(eventId);
      this.measuredEvents.delete(eventId);
    }
  }

  start(intervalMs: number): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.runTick(intervalMs), intervalMs);
  }

  private runTick(intervalMs: number): void {
    if (this.running !== undefined) return; // a slow Redis must not stack ticks
    this.running = this.tick()
      .catch((error: unknown) => this.options.log.warn({ err: error }, 'admission tick failed'))
      .finally(() => {
        this.running = undefined;
        this.planTakeover(intervalMs);
      });
  }

  /** A live leader renews every tick, so its lease lapses before our next tick only when it died. */
  private planTakeover(intervalMs: number): void {
    clearTimeout(this.takeoverTimer);
    this.takeoverTimer = undefined;
    const expiry = this.nextForeignLeaseExpiryMs;
    if (this.timer === undefined || expiry === undefined) return;
    // +1: the lease is free once now >= expiresAt (acquire-lease.lua), judged by the same clock.
    const delayMs = expiry + 1 - this.options.clock();
    if (delayMs >= intervalMs) return;
    this.takeoverTimer = setTimeout(() => this.runTick(intervalMs), Math.max(0, delayMs));
  }

  /** Stops ticking, waits for a tick in flight, and hands the leases back so a successor leads at once. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    clearTimeout(this.takeoverTimer);
    this.takeoverTimer = undefined;
    await this.running;
    await this.ticker.stop();
  }
}
