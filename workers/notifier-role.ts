// The notifier role: Kafka `booking.confirmed` and `hold.expired` to e-mail (text + HTML) through
// SMTP, deduplicated on the message id in MySQL, with dead letters on `notification.dead-letter`.
// Kafka or MySQL not ready at start does not stop the role (the consumer keeps trying); an
// unreachable SMTP server holds the messages back and /readyz says so.
import { keepConsuming } from '../lib/kafka-consumer-loop.js';
import type { Platform } from '../lib/platform.js';
import { startHttpRole, type RunningRole } from '../lib/role.js';
import { DeadLetters } from './notifier/dead-letters.js';
import { smtpMailSender, type MailSender } from './notifier/mail-sender.js';
import { loadNotifierConfig } from './notifier/notifier-config.js';
import { Notifier } from './notifier/notifier.js';

export interface NotifierRoleOptions {
  /** Tests run a group of their own (and a mail server of their own). */
  groupId?: string;
  sender?: MailSender;
  /**
   * Tests sharing one Kafka: this notifier handles only the events it names and skips the rest, so
   * a suite's notifier never waits on another suite's claims (the ledger is shared, as in production).
   */
  handlesEvent?: (eventId: string) => boolean;
}

export async function startNotifier(platform: Platform, options: NotifierRoleOptions = {}): Promise<RunningRole> {
  const { config } = platform;
  const settings = loadNotifierConfig();
  const log = platform.log.child({ component: 'notifier' });
  const sender =
    options.sender ??
    smtpMailSender({ url: config.SMTP_URL, from: settings.MAIL_FROM, connectTimeoutMs: settings.SMTP_CONNECT_TIMEOUT_MS, socketTimeoutMs: settings.SMTP_SOCKET_TIMEOUT_MS });
  const producer = platform.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
  const notifier = new Notifier({
    prisma: platform.prisma(),
    sender,
    deadLetters: new DeadLetters(producer),
    log,
    webOrigin: config.WEB_ORIGIN,
    ...(options.handlesEvent ? { handlesEvent: options.handlesEvent } : {}),
    settings: {
      sendAttempts: settings.NOTIFIER_SEND_ATTEMPTS,
      retryBaseMs: settings.NOTIFIER_RETRY_BASE_MS,
      retryMaxMs: settings.NOTIFIER_RETRY_MAX_MS,
      outageMaxMs: settings.NOTIFIER_OUTAGE_MAX_MS,
      claimTtlMs: settings.NOTIFIER_CLAIM_TTL_MS,
      concurrency: settings.NOTIFIER_CONCURRENCY,
    },
  });
  const consumer = platform.kafka().consumer({ groupId: options.groupId ?? settings.NOTIFIER_GROUP_ID });
  const loop = keepConsuming('notifier-consumer', consumer, log, async () => {
    await producer.connect();
    await notifier.run(consumer);
  });
  return startHttpRole(platform, {
    role: 'notifier',
    portVariable: 'NOTIFIER_PORT',
    dependencies: ['kafka', 'mysql'],
    extraChecks: [loop.check, notifier.smtpCheck],
    onStop: async () => {
      notifier.stop();
      await loop.stop();
      await producer.disconnect();
      sender.close();
    },
  });
}
