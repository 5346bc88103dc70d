// Waiting-room and admission metrics on the process registry, created once per process (several
// roles, or several test apps, may share one process and one registry).
import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '../lib/metrics.js';

export interface WaitingRoomMetrics {
  /** issued − serving, per event: fans with a number who may not claim yet. Set by the ticker leader. */
  fansWaiting: Gauge<'event'>;
  /** How long the newest fan in line will wait at the current rate (seconds). */
  servingLagSeconds: Gauge<'event'>;
  admissions: Counter<'event'>;
  passClaims: Counter<'outcome'>;
  joins: Counter<'outcome'>;
}

let metrics: WaitingRoomMetrics | undefined;

export function waitingRoomMetrics(): WaitingRoomMetrics {
  const registers = [metricsRegistry()];
  metrics ??= {
    fansWaiting: new Gauge({ name: 'corral_waiting_room_fans_waiting', help: 'Fans with a number not yet served', labelNames: ['event'], registers }),
    servingLagSeconds: new Gauge({
      name: 'corral_waiting_room_serving_lag_seconds',
      help: 'Estimated wait of the last fan in line at the current admission rate',
      labelNames: ['event'],
      registers,
    }),
    admissions: new Counter({ name: 'corral_admissions_total', help: 'Queue numbers admitted by the ticker', labelNames: ['event'], registers }),
    passClaims: new Counter({ name: 'corral_pass_claims_total', help: 'Pass claims by outcome', labelNames: ['outcome'], registers }),
    joins: new Counter({ name: 'corral_queue_joins_total', help: 'Queue joins by outcome', labelNames: ['outcome'], registers }),
  };
  return metrics;
}
