// Booking pipeline metrics on the process registry, created once per process: reservation latency
// (request accepted -> result), DynamoDB transaction conflicts, seat-lock contention, queue depth.
import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '../lib/metrics.js';

export interface QueueDepthSource {
  /** Jobs per queue and state (waiting, delayed, active). */
  depths(): Promise<Array<{ queue: string; state: string; jobs: number }>>;
}

export interface BookingMetrics {
  reservationLatency: Histogram<'outcome'>;
  transactionConflicts: Counter<'reason'>;
  lockContention: Counter;
  queueDepth: Gauge<'queue' | 'state'>;
}

let metrics: BookingMetrics | undefined;
const depthSources = new Set<QueueDepthSource>();

export function bookingMetrics(): BookingMetrics {
  const registers = [metricsRegistry()];
  metrics ??= {
    reservationLatency: new Histogram({
      name: 'corral_reservation_latency_seconds',
      help: 'From the accepted hold request to the reserve result',
      labelNames: ['outcome'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    transactionConflicts: new Counter({
      name: 'corral_booking_transaction_conflicts_total',
      help: 'DynamoDB writes retried after a TransactionConflict or throttle',
      labelNames: ['reason'],
      registers,
    }),
    lockContention: new Counter({ name: 'corral_booking_lock_contention_total', help: 'Seat-lock attempts that found a seat locked by another worker', registers }),
    queueDepth: new Gauge({
      name: 'corral_booking_queue_depth',
      help: 'Booking jobs per queue and state, read at scrape time',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const source of depthSources) {
          for (const depth of await source.depths()) this.set({ queue: depth.queue, state: depth.state }, depth.jobs);
        }
      },
    }),
  };
  return metrics;
}

/** Reports `source`'s queues on every scrape until the returned function is called. */
export function trackQueueDepth(source: QueueDepthSource): () => void {
  bookingMetrics();
  depthSources.add(source);
  return () => depthSources.delete(source);
}
