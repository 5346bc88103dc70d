// The admission role's loop: every tick, run the fenced AdmissionTicker for the active events, open
// sales whose open time has come, publish one `serving` packet per led event (O(events) per tick)
// and update the metrics. Only the leader of an event publishes, so each event gets one packet per tick.
import type { RedisClient } from '../lib/redis.js';
import type { Logger } from '../lib/log.js';
import type { QueueStore } from '../waiting-room/queue-store.js';
import { roomStateSchema } from '../waiting-room/room-config.js';
import type { ServingBroadcaster, ServingUpdate } from '../waiting-room/serving-broadcast.js';
import { waitingRoomMetrics } from '../waiting-room/waiting-room-metrics.js';
import type { ActiveEvents } from '../waiting-room/active-events.js';
import { AdmissionTicker, type EventTickReport } from './admission-ticker.js';
import type { RoomControl } from '../waiting-room/room-control.js';

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
}

export class AdmissionLoop {
  readonly ticker: AdmissionTicker;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

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
    const reports = await this.ticker.tick(nowMs);
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
    const [rate, opensAt] = await this.options.redis.hmget(this.options.store.keys(eventId).config, 'admissionRatePerMinute', 'opensAt');
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
    this.recordMetrics(update, report.advance.admittedNow);
    return update;
  }

  private recordMetrics(update: ServingUpdate, admittedNow: number): void {
    const metrics = waitingRoomMetrics();
    const waiting = Math.max(0, update.issued - update.serving);
    metrics.fansWaiting.set({ event: update.eventId }, waiting);
    if (update.admissionRatePerMinute > 0) metrics.servingLagSeconds.set({ event: update.eventId }, (waiting / update.admissionRatePerMinute) * 60);
    if (admittedNow > 0) metrics.admissions.inc({ event: update.eventId }, admittedNow);
  }

  start(intervalMs: number): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      if (this.running !== undefined) return; // a slow Redis must not stack ticks
      this.running = this.tick()
        .catch((error: unknown) => this.options.log.warn({ err: error }, 'admission tick failed'))
        .finally(() => {
          this.running = undefined;
        });
    }, intervalMs);
  }

  /** Stops ticking, waits for a tick in flight, and hands the leases back so a successor leads at once. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.ticker.stop();
  }
}
