// The relays' lag on the process registry: seconds from an outbox item's creation (its MySQL row,
// its DynamoDB stream record, its Redis stream entry) to Kafka acknowledging the send that carried
// it. Observed once per relayed item after the acknowledgement, so a resend after a crash counts
// again, with the longer lag it really had. Labelled by relay (three values), never by item.
import { Histogram } from 'prom-client';
import { metricsRegistry } from '../../lib/metrics.js';

export type RelayName = 'mysql-outbox-relay' | 'dynamo-stream-relay' | 'queue-state-relay';

let relayLag: Histogram<'relay'> | undefined;

export function relayLagSeconds(): Histogram<'relay'> {
  relayLag ??= new Histogram({
    name: 'corral_relay_lag_seconds',
    help: "From an outbox item's creation to Kafka acknowledging its message, per relay",
    labelNames: ['relay'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [metricsRegistry()],
  });
  return relayLag;
}

/** Records the lag of items created at `createdAtMs` (epoch ms; unreadable times are skipped). */
export function observeRelayLag(relay: RelayName, createdAtMs: readonly number[], ackedAtMs: number): void {
  const histogram = relayLagSeconds();
  for (const created of createdAtMs) {
    if (Number.isFinite(created)) histogram.observe({ relay }, Math.max(0, ackedAtMs - created) / 1000);
  }
}
