// Waiting-room and admission metrics on the process registry, created once per process (several
// roles, or several test apps, may share one process and one registry). Per-event gauges are set
// by the event's ticker leader only and dropped by a process that stops leading it, so summing them
// over replicas never counts an event twice; events are bounded by the active events.
import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '../lib/metrics.js';

export interface WaitingRoomMetrics {
  /** issued − serving, per event: fans with a number who may not claim yet. Set by the ticker leader. */
  fansWaiting: Gauge<'event'>;
  /** How long the newest fan in line will wait at the current rate (seconds). */
  servingLagSeconds: Gauge<'event'>;
  /** The last queue number handed out and the last one allowed to claim, per event. */
  issued: Gauge<'event'>;
  serving: Gauge<'event'>;
  /** The organizer's admission rate while the sale is open; 0 while it admits nobody by design. */
  admissionRatePerMinute: Gauge<'event'>;
  /** Admitted sessions still live plus admissions not claimed yet, as the last tick found them before
   * it admitted (what limited it), and the ceiling they count against. */
  activeShoppers: Gauge<'event'>;
  maxActiveShoppers: Gauge<'event'>;
  admissions: Counter<'event'>;
  passClaims: Counter<'outcome'>;
  joins: Counter<'outcome'>;
  /** Socket.IO clients connected to this process's gateways. */
  socketClients: Gauge;
}

export interface SocketClientSource {
  connectedClients(): number;
}

let metrics: WaitingRoomMetrics | undefined;
const socketSources = new Set<SocketClientSource>();

export function waitingRoomMetrics(): WaitingRoomMetrics {
  const registers = [metricsRegistry()];
  const eventGauge = (name: string, help: string) => new Gauge({ name, help, labelNames: ['event'], registers });
  metrics ??= {
    fansWaiting: eventGauge('corral_waiting_room_fans_waiting', 'Fans with a number not yet served'),
    servingLagSeconds: eventGauge('corral_waiting_room_serving_lag_seconds', 'Estimated wait of the last fan in line at the current admission rate'),
    issued: eventGauge('corral_waiting_room_issued', 'Queue numbers issued so far (the last number handed out)'),
    serving: eventGauge('corral_waiting_room_serving', 'The serving number: every queue number up to it may claim a pass'),
    admissionRatePerMinute: eventGauge('corral_admission_rate_per_minute', "The organizer's admission rate while the sale is open (0 while paused, closed or sold out)"),
    activeShoppers: eventGauge('corral_admission_active_shoppers', 'Admitted sessions still live plus admissions not claimed yet, as the last tick found them'),
    maxActiveShoppers: eventGauge('corral_admission_max_active_shoppers', 'The max active shoppers the organizer set'),
    admissions: new Counter({ name: 'corral_admissions_total', help: 'Queue numbers admitted by the ticker', labelNames: ['event'], registers }),
    passClaims: new Counter({ name: 'corral_pass_claims_total', help: 'Pass claims by outcome', labelNames: ['outcome'], registers }),
    joins: new Counter({ name: 'corral_queue_joins_total', help: 'Queue joins by outcome', labelNames: ['outcome'], registers }),
    socketClients: new Gauge({
      name: 'corral_socketio_connected_clients',
      help: "Socket.IO clients connected to this process's gateways, read at scrape time",
      registers,
      collect() {
        let clients = 0;
        for (const source of socketSources) clients += source.connectedClients();
        this.set(clients);
      },
    }),
  };
  return metrics;
}

/** Drops an event's per-event gauges (this process no longer leads it, or it left the active events). */
export function forgetEventGauges(eventId: string): void {
  const { fansWaiting, servingLagSeconds, issued, serving, admissionRatePerMinute, activeShoppers, maxActiveShoppers } = waitingRoomMetrics();
  for (const gauge of [fansWaiting, servingLagSeconds, issued, serving, admissionRatePerMinute, activeShoppers, maxActiveShoppers]) gauge.remove({ event: eventId });
}

/** Counts `source`'s clients on every scrape until the returned function is called. */
export function trackSocketClients(source: SocketClientSource): () => void {
  waitingRoomMetrics();
  socketSources.add(source);
  return () => socketSources.delete(source);
}
