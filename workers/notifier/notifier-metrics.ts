// Notifier metrics on the process registry: every message's outcome, send failures by kind, dead
// letters by reason.
import { Counter } from 'prom-client';
import { metricsRegistry } from '../../lib/metrics.js';

export interface NotifierMetrics {
  /** outcome: sent | duplicate | skipped (no address) | dead_lettered. */
  notifications: Counter<'topic' | 'outcome'>;
  sendFailures: Counter<'kind'>;
  deadLetters: Counter<'reason'>;
}

let metrics: NotifierMetrics | undefined;

export function notifierMetrics(): NotifierMetrics {
  const registers = [metricsRegistry()];
  metrics ??= {
    notifications: new Counter({ name: 'corral_notifications_total', help: 'Kafka messages the notifier finished, by topic and outcome', labelNames: ['topic', 'outcome'], registers }),
    sendFailures: new Counter({ name: 'corral_notification_send_failures_total', help: 'SMTP attempts that failed, by kind (rejected, transient, unreachable)', labelNames: ['kind'], registers }),
    deadLetters: new Counter({ name: 'corral_notification_dead_letters_total', help: 'Notifications given up on and written to notification.dead-letter, by reason', labelNames: ['reason'], registers }),
  };
  return metrics;
}
