// Kafka to e-mail. Each message is parsed, its fan resolved to an address (visitors have none and
// are skipped), claimed in the delivery ledger (a replay or redelivery stops here), rendered and
// sent. Temporary refusals get bounded jittered retries, permanent ones and exhausted retries a dead
// letter; an unreachable server is an outage, waited out without dead letters. A message's handler
// returns only once its mail is sent or dead-lettered, so kafkajs commits no offset before that.
import type { Consumer, EachMessagePayload } from 'kafkajs';
import { fanContact, userIdOfFan } from '../../accounts/fan-contacts.js';
import { CatalogReads } from '../../catalog/catalog-reads.js';
import { NotFoundError } from '../../lib/errors.js';
import type { DependencyCheck } from '../../lib/health.js';
import type { Logger } from '../../lib/log.js';
import type { PrismaClient } from '../../lib/mysql.js';
import { backoffDelayMs, sleep as realSleep, withRetry } from '../../lib/retry.js';
import type { DeadLetterReason, DeadLetters, SourceRecord } from './dead-letters.js';
import { DeliveryLedger, type Finish } from './delivery-ledger.js';
import { notificationMessageId, SendError, type MailSender } from './mail-sender.js';
import { renderMail, type EventDetails } from './notification-mail.js';
import { NOTIFIED_TOPICS, parseNotificationMessage, type NotificationMessage } from './notification-messages.js';
import { notifierMetrics } from './notifier-metrics.js';

export type NotificationOutcome = 'sent' | 'duplicate' | 'skipped' | 'dead_lettered';

export interface NotifierSettings {
  sendAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  outageMaxMs: number;
  claimTtlMs: number;
  concurrency: number;
}

export interface NotifierOptions {
  prisma: PrismaClient;
  sender: MailSender;
  deadLetters: DeadLetters;
  log: Logger;
  settings: NotifierSettings;
  /** Origin of the fan pages, for the event link in each mail. */
  webOrigin: string;
  clock?: () => number;
  random?: () => number;
  /** Only these events' messages are handled; the rest are skipped (tests sharing one Kafka). */
  handlesEvent?: (eventId: string) => boolean;
}

/** Thrown out of a handler when the role stops mid-wait: the message is not finished, so not committed. */
export class NotifierStoppingError extends Error {
  override name = 'NotifierStoppingError';
}

class ClaimLostError extends Error {
  override name = 'ClaimLostError';
}

type Heartbeat = () => Promise<void>;

export class Notifier {
  private readonly ledger: DeliveryLedger;
  private readonly catalog: CatalogReads;
  private readonly metrics = notifierMetrics();
  private stopping = false;
  private unreachable: { sinceMs: number; error: string } | undefined;

  constructor(private readonly options: NotifierOptions) {
    this.ledger = new DeliveryLedger(options.prisma, options.settings.claimTtlMs, options.clock);
    this.catalog = new CatalogReads(options.prisma);
  }

  /** Readiness: fails while the SMTP server is unreachable, and otherwise asks it for a greeting. */
  readonly smtpCheck: DependencyCheck = {
    name: 'smtp',
    check: async () => {
      if (this.unreachable) throw new Error(`unreachable since ${new Date(this.unreachable.sinceMs).toISOString()}: ${this.unreachable.error}`);
      await this.options.sender.verify();
    },
  };

  stop(): void {
    this.stopping = true;
  }

  async run(consumer: Consumer): Promise<void> {
    // A new group starts at the end: a notifier deployed today does not mail last year's bookings.
    await consumer.subscribe({ topics: [...NOTIFIED_TOPICS], fromBeginning: false });
    await consumer.run({
      partitionsConsumedConcurrently: this.options.settings.concurrency,
      eachMessage: async ({ topic, partition, message, heartbeat }: EachMessagePayload) => {
        if (!message.value) return;
        const record: SourceRecord = { topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value.toString() };
        await this.handle(record, heartbeat);
      },
    });
  }

  /** Handles one record to its end (sent, duplicate, skipped or dead-lettered). */
  async handle(record: SourceRecord, heartbeat: Heartbeat = async () => undefined): Promise<NotificationOutcome> {
    const outcome = await this.outcomeOf(record, heartbeat);
    this.metrics.notifications.inc({ topic: record.topic, outcome });
    return outcome;
  }

  private async outcomeOf(record: SourceRecord, heartbeat: Heartbeat): Promise<NotificationOutcome> {
    const parsed = parseNotificationMessage(record.value);
    if (!parsed.ok) {
      this.options.log.warn({ topic: record.topic, offset: record.offset, detail: parsed.detail }, 'dead-lettering a malformed notification message');
      await this.deadLetter(record, undefined, 'malformed', parsed.detail, 0);
      return 'dead_lettered';
    }
    const { message } = parsed;
    if (this.options.handlesEvent && !this.options.handlesEvent(message.eventId)) return 'skipped';
    const fanId = message.data.fanId;
    const log = this.options.log.child({ messageId: message.id, eventId: message.eventId, holdId: message.data.holdId, fanId });
    if (fanId === undefined || userIdOfFan(fanId) === undefined) {
      log.debug({ topic: record.topic }, 'no address for this fan (a visitor): no mail');
      return 'skipped';
    }
    for (;;) {
      const claim = await this.ledger.claim({ messageId: message.id, topic: record.topic, eventId: message.eventId, fanId });
      if (claim.status === 'done') {
        log.info({ state: claim.state }, 'already handled: no second mail');
        return 'duplicate';
      }
      if (claim.status === 'busy') {
        // Another notifier is sending it (a rebalance handed the partition over mid-send): wait for it
        // to finish, or for its claim to lapse if it died.
        await this.pause(Math.min(1_000, Math.max(50, claim.claimedUntil.getTime() - this.now())), heartbeat);
        continue;
      }
      if (claim.takenOver) log.warn('taking over a lapsed claim (a notifier died mid-send); the mail may have gone out once already');
      try {
        return await this.deliver(record, message, claim.token, heartbeat, log);
      } catch (error) {
        if (error instanceof ClaimLostError) {
          log.warn('lost the claim to another notifier: it finishes this message');
          return 'duplicate';
        }
        throw error;
      }
    }
  }

  private async deliver(record: SourceRecord, message: NotificationMessage, token: string, heartbeat: Heartbeat, log: Logger): Promise<NotificationOutcome> {
    const contact = await fanContact(this.options.prisma, message.data.fanId!);
    if (contact.kind !== 'user') {
      await this.deadLetter(record, message, 'unknown-recipient', `no user ${userIdOfFan(message.data.fanId!)} in accounts`, 0);
      await this.finish(message.id, token, { state: 'dead_lettered', reason: 'unknown-recipient' });
      return 'dead_lettered';
    }
    const content = renderMail({ message, displayName: contact.displayName, event: await this.eventDetails(message.eventId), eventUrl: `${this.options.webOrigin}/events/${encodeURIComponent(message.eventId)}` });
    const mail = { ...content, to: contact.email, messageId: notificationMessageId(message.id) };
    let attempts = 0;
    try {
      const accepted = await this.sendThroughOutages(heartbeat, log, async () => {
        if (!(await this.ledger.renew(message.id, token, true))) throw new ClaimLostError();
        attempts += 1;
        return this.options.sender.send(mail);
      });
      await this.finish(message.id, token, { state: 'sent', recipient: contact.email, smtpMessageId: accepted.smtpMessageId });
      log.info({ topic: record.topic, attempts }, 'notification sent');
      return 'sent';
    } catch (error) {
      if (!(error instanceof SendError)) throw error;
      const reason: DeadLetterReason = error.kind === 'rejected' ? 'smtp-rejected' : 'smtp-retries-exhausted';
      log.warn({ err: error, reason, attempts }, 'dead-lettering a notification');
      await this.deadLetter(record, message, reason, error.message, attempts);
      await this.finish(message.id, token, { state: 'dead_lettered', reason: `${reason}: ${error.message}`, recipient: contact.email });
      return 'dead_lettered';
    }
  }

  /** Bounded jittered retries for temporary refusals; while the server is unreachable, waits (with
   * capped backoff, heartbeating so the group keeps the partition) and starts over. */
  private async sendThroughOutages<T>(heartbeat: Heartbeat, log: Logger, attempt: () => Promise<T>): Promise<T> {
    const { settings } = this.options;
    for (let outageRound = 1; ; outageRound += 1) {
      if (this.stopping) throw new NotifierStoppingError('stopping');
      try {
        const result = await withRetry(attempt, {
          attempts: settings.sendAttempts,
          baseDelayMs: settings.retryBaseMs,
          maxDelayMs: settings.retryMaxMs,
          isRetryable: (error) => error instanceof SendError && error.kind !== 'rejected',
          random: this.options.random,
          sleep: (ms) => this.pause(ms, heartbeat),
          onRetry: (error, attemptNumber, delayMs) => {
            this.recordFailure(error);
            log.info({ err: error, attempt: attemptNumber, retryInMs: delayMs }, 'mail not sent yet, retrying');
          },
        });
        if (this.unreachable) log.info({ downForMs: this.now() - this.unreachable.sinceMs }, 'SMTP server reachable again');
        this.unreachable = undefined;
        return result;
      } catch (error) {
        this.recordFailure(error);
        if (!(error instanceof SendError) || error.kind !== 'unreachable') throw error;
        this.unreachable ??= { sinceMs: this.now(), error: error.message };
        const waitMs = Math.max(100, backoffDelayMs(outageRound, { baseDelayMs: settings.retryBaseMs, maxDelayMs: settings.outageMaxMs, random: this.options.random }));
        log.warn({ err: error, retryInMs: waitMs }, 'SMTP server unreachable: holding this message until it is back');
        await this.pause(waitMs, heartbeat);
      }
    }
  }

  private recordFailure(error: unknown): void {
    if (error instanceof SendError) this.metrics.sendFailures.inc({ kind: error.kind });
  }

  private async deadLetter(record: SourceRecord, message: NotificationMessage | undefined, reason: DeadLetterReason, detail: string, attempts: number): Promise<void> {
    await this.options.deadLetters.write({ source: record, ...(message ? { id: message.id, eventId: message.eventId } : {}), reason, detail, attempts });
    this.metrics.deadLetters.inc({ reason });
  }

  private async finish(messageId: string, token: string, finish: Finish): Promise<void> {
    if (!(await this.ledger.finish(messageId, token, finish))) throw new ClaimLostError();
  }

  private async eventDetails(eventId: string): Promise<EventDetails | undefined> {
    try {
      const event = await this.catalog.publishedEvent(eventId);
      return { name: event.name, venueName: event.venue.name, startsAt: event.startsAt, currency: event.priceTiers[0]?.currency ?? '' };
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  /** Sleeps in short steps, heartbeating, and gives up when the role stops. */
  private async pause(ms: number, heartbeat: Heartbeat): Promise<void> {
    const until = this.now() + ms;
    for (;;) {
      if (this.stopping) throw new NotifierStoppingError('stopping');
      await heartbeat();
      const left = until - this.now();
      if (left <= 0) return;
      await realSleep(Math.min(left, 1_000));
    }
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }
}
