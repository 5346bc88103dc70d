// The four dashboards of Corral (issue 16): service overview, booking, waiting room, pipeline. Every
// query names metrics of docs/monitoring.md; `npm test` parses each one with promtool and checks
// that the roles export every metric it names.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, labelVariable, quantiles, rate, RATE, type PanelSpec } from './panels.js';

const overview: PanelSpec[] = [
  { title: 'Requests per second', description: 'Per role; probes and scrapes not counted', unit: 'reqps', queries: [{ expr: rate('corral_http_requests_total', 'role'), legend: '{{role}}' }] },
  {
    title: '5xx error ratio',
    description: 'Share of requests answered 5xx, per role (alert CorralHighErrorRate at 1 % for 5 min)',
    unit: 'percentunit',
    queries: [{ expr: `${rate('corral_http_requests_total{status_class="5xx"}', 'role')} / ${rate('corral_http_requests_total', 'role')}`, legend: '{{role}}' }],
  },
  { title: 'Latency p50 / p95 / p99', description: 'Request arrival to response finished, per role', unit: 's', width: 24, queries: quantiles('corral_http_request_duration_seconds', 'role') },
  { title: 'Requests by status class', description: 'Per role and status class', unit: 'reqps', queries: [{ expr: rate('corral_http_requests_total', 'role, status_class'), legend: '{{role}} {{status_class}}' }] },
  { title: 'Slowest routes (p99)', description: 'The ten route patterns with the highest p99', unit: 's', queries: [{ expr: `topk(10, histogram_quantile(0.99, sum by (le, role, route) (rate(corral_http_request_duration_seconds_bucket[${RATE}]))))`, legend: '{{role}} {{route}}' }] },
  { title: 'CPU', description: 'CPU seconds per second, per pod', unit: 'percentunit', queries: [{ expr: `sum by (pod) (rate(process_cpu_seconds_total{app="corral"}[${RATE}]))`, legend: '{{pod}}' }] },
  { title: 'Resident memory', description: 'Per pod', unit: 'bytes', queries: [{ expr: 'sum by (pod) (process_resident_memory_bytes{app="corral"})', legend: '{{pod}}' }] },
];

const booking: PanelSpec[] = [
  { title: 'Reservation latency', description: 'Accepted hold request to reserve result (alert CorralReservationLatencyHigh: p99 > 1 s)', unit: 's', width: 24, queries: quantiles('corral_reservation_latency_seconds', '') },
  { title: 'Reservations by outcome', description: 'Reserve results per second', unit: 'ops', queries: [{ expr: rate('corral_reservation_latency_seconds_count', 'outcome'), legend: '{{outcome}}' }] },
  { title: 'Seat-lock contention', description: 'Lock attempts that met another worker’s lock, per second', unit: 'ops', queries: [{ expr: `sum(rate(corral_booking_lock_contention_total[${RATE}]))`, legend: 'contended' }] },
  { title: 'Transaction conflicts', description: 'Booking writes retried, per reason', unit: 'ops', queries: [{ expr: rate('corral_booking_transaction_conflicts_total', 'reason'), legend: '{{reason}}' }] },
  { title: 'DynamoDB latency p99', description: 'Per operation, SDK retries included', unit: 's', queries: [{ expr: `histogram_quantile(0.99, sum by (le, operation) (rate(corral_dynamodb_request_duration_seconds_bucket[${RATE}])))`, legend: '{{operation}}' }] },
  { title: 'DynamoDB calls', description: 'Per operation', unit: 'ops', queries: [{ expr: rate('corral_dynamodb_request_duration_seconds_count', 'operation'), legend: '{{operation}}' }] },
  { title: 'DynamoDB throttles', description: 'Throttled attempts per operation and reason (alert CorralDynamoDBThrottled)', unit: 'ops', queries: [{ expr: rate('corral_dynamodb_throttles_total', 'operation, reason'), legend: '{{operation}} {{reason}}' }] },
];

const event = 'event=~"$event"';
const waitingRoom: PanelSpec[] = [
  { title: 'Fans waiting', description: 'Issued − serving, per event', unit: 'short', queries: [{ expr: `sum by (event) (corral_waiting_room_fans_waiting{${event}})`, legend: '{{event}}' }] },
  {
    title: 'Serving vs issued',
    description: 'The last number allowed to claim and the last number handed out',
    unit: 'short',
    queries: [
      { expr: `sum by (event) (corral_waiting_room_serving{${event}})`, legend: '{{event}} serving' },
      { expr: `sum by (event) (corral_waiting_room_issued{${event}})`, legend: '{{event}} issued' },
    ],
  },
  {
    title: 'Admitted per minute vs the set rate',
    description: 'What the ticker admits and what the organizer set (alert CorralAdmissionRateOff at 5 % off)',
    unit: 'short',
    queries: [
      { expr: `sum by (event) (rate(corral_admissions_total{${event}}[${RATE}])) * 60`, legend: '{{event}} admitted/min' },
      { expr: `sum by (event) (corral_admission_rate_per_minute{${event}})`, legend: '{{event}} set rate/min' },
    ],
  },
  {
    title: 'Active shoppers',
    description: 'Live sessions plus unclaimed admissions, and the ceiling',
    unit: 'short',
    queries: [
      { expr: `sum by (event) (corral_admission_active_shoppers{${event}})`, legend: '{{event}} active' },
      { expr: `sum by (event) (corral_admission_max_active_shoppers{${event}})`, legend: '{{event}} max' },
    ],
  },
  { title: 'Pass claims', description: 'Per outcome, per second', unit: 'ops', queries: [{ expr: rate('corral_pass_claims_total', 'outcome'), legend: '{{outcome}}' }] },
  { title: 'Queue joins', description: 'Per outcome, per second', unit: 'ops', queries: [{ expr: rate('corral_queue_joins_total', 'outcome'), legend: '{{outcome}}' }] },
  { title: 'Serving lag', description: 'Wait of the last fan in line at the current rate', unit: 's', queries: [{ expr: `max by (event) (corral_waiting_room_serving_lag_seconds{${event}})`, legend: '{{event}}' }] },
  {
    title: 'Socket.IO clients per pod',
    description: 'Connections and the open-files ceiling (alert CorralSocketGatewayNearCeiling at 80 %)',
    unit: 'short',
    queries: [
      { expr: 'sum by (pod) (corral_socketio_connected_clients)', legend: '{{pod}} clients' },
      { expr: 'max by (pod) (process_max_fds and on (pod) corral_socketio_connected_clients)', legend: '{{pod}} ceiling' },
    ],
  },
];

const pipeline: PanelSpec[] = [
  { title: 'Reserve queue depth', description: 'Waiting jobs per partition and headline queue (KEDA scales on these)', unit: 'short', queries: [{ expr: 'max by (queue) (corral_booking_queue_depth{state="waiting"})', legend: '{{queue}}' }] },
  { title: 'Delayed and active jobs', description: 'Hold expiries and retries (delayed), jobs being worked on (active)', unit: 'short', queries: [{ expr: 'max by (queue, state) (corral_booking_queue_depth{state=~"delayed|active"})', legend: '{{queue}} {{state}}' }] },
  { title: 'Relay lag p99', description: 'Outbox item created to Kafka acknowledged, per relay (alert CorralRelayLagHigh at 5 s)', unit: 's', queries: [{ expr: `histogram_quantile(0.99, sum by (le, relay) (rate(corral_relay_lag_seconds_bucket[${RATE}])))`, legend: '{{relay}}' }] },
  { title: 'Relayed messages', description: 'Items per second, per relay', unit: 'ops', queries: [{ expr: rate('corral_relay_lag_seconds_count', 'relay'), legend: '{{relay}}' }] },
  { title: 'Since the last good pass', description: 'Per background loop (alert CorralRelayStalled at 60 s for a relay)', unit: 's', queries: [{ expr: 'time() - max by (loop) (corral_pass_loop_last_success_timestamp_seconds)', legend: '{{loop}}' }] },
  { title: 'Indexer lag p99', description: 'Kafka timestamp to applied in OpenSearch, per topic', unit: 's', queries: [{ expr: `histogram_quantile(0.99, sum by (le, topic) (rate(corral_indexer_lag_seconds_bucket[${RATE}])))`, legend: '{{topic}}' }] },
];

/** File name (without .json) → dashboard. */
export function corralDashboards(): Record<string, Dashboard> {
  return {
    'corral-overview': dashboard('corral-overview', 'Corral / Service overview', 'Request rate, errors and latency of every role', overview).build(),
    'corral-booking': dashboard('corral-booking', 'Corral / Booking', 'Reservations, seat locks, transaction conflicts, DynamoDB', booking).build(),
    'corral-waiting-room': dashboard('corral-waiting-room', 'Corral / Waiting room', 'Fans waiting, serving vs issued, admission rate, passes, sockets', waitingRoom, [
      labelVariable('event', 'Event', 'corral_waiting_room_fans_waiting'),
    ]).build(),
    'corral-pipeline': dashboard('corral-pipeline', 'Corral / Pipeline', 'Booking queues, relays to Kafka, the search indexer', pipeline).build(),
  };
}

/** Where the chart takes them from, relative to the repository root. */
export const DASHBOARDS_DIR = 'charts/corral/dashboards';

/** File name → the JSON text that ships. */
export function dashboardFiles(): Record<string, string> {
  return Object.fromEntries(Object.entries(corralDashboards()).map(([name, built]) => [`${name}.json`, `${JSON.stringify(built, null, 2)}\n`]));
}
