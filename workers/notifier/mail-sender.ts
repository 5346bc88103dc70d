// SMTP through nodemailer, and what a failure means for the message. Three kinds:
//  - rejected: the server answered 5xx (bad recipient, refused content): sending again cannot help;
//  - transient: it answered 4xx (greylisting, a full mailbox): worth a few more tries;
//  - unreachable: no conversation at all (refused, reset, timed out): the server is down, not the
//    message bad, so the notifier waits for it instead of dead-lettering every mail of the outage.
import nodemailer from 'nodemailer';
import type { MailContent } from './notification-mail.js';

export type SendFailureKind = 'rejected' | 'transient' | 'unreachable';

export class SendError extends Error {
  override name = 'SendError';
  constructor(
    readonly kind: SendFailureKind,
    message: string,
    readonly responseCode?: number,
    options?: { cause: unknown },
  ) {
    super(message, options);
  }
}

const CONNECTION_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Classifies a nodemailer error (`code`, and `responseCode` when the server answered). */
export function classifySendError(error: unknown): SendError {
  if (error instanceof SendError) return error;
  const { code, responseCode, message } = error as { code?: string; responseCode?: number; message?: string };
  const text = message ?? String(error);
  if (typeof responseCode === 'number' && responseCode >= 500) return new SendError('rejected', text, responseCode, { cause: error });
  if (typeof responseCode === 'number' && responseCode >= 400) return new SendError('transient', text, responseCode, { cause: error });
  if (code !== undefined && CONNECTION_CODES.has(code)) return new SendError('unreachable', text, undefined, { cause: error });
  // Anything else (a protocol surprise, a TLS failure) may pass on another try, but is not an outage.
  return new SendError('transient', text, undefined, { cause: error });
}

export interface OutgoingMail extends MailContent {
  to: string;
  /** Stable per Kafka message, so a resend after a crash is recognisable as the same mail downstream. */
  messageId: string;
}

export interface MailSender {
  /** Resolves with the server's acceptance; rejects with a SendError. */
  send(mail: OutgoingMail): Promise<{ smtpMessageId: string; response: string }>;
  /** Throws unless the server answers an SMTP greeting (readiness). */
  verify(): Promise<void>;
  close(): void;
}

export interface SmtpOptions {
  url: string;
  from: string;
  /** Connecting and the greeting; a dead server answers nothing, so this bounds each attempt. */
  connectTimeoutMs: number;
  /** Silence in the middle of a conversation. */
  socketTimeoutMs: number;
}

export function smtpMailSender(options: SmtpOptions): MailSender {
  // One connection per mail (no pool): an outage leaves no half-dead pooled socket behind, and a
  // notifier sends at the pace of bookings, not of a bulk mailer.
  const transport = nodemailer.createTransport(
    { url: options.url, connectionTimeout: options.connectTimeoutMs, greetingTimeout: options.connectTimeoutMs, socketTimeout: options.socketTimeoutMs },
    { from: options.from },
  );
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail({ to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, messageId: mail.messageId });
        return { smtpMessageId: info.messageId, response: info.response };
      } catch (error) {
        throw classifySendError(error);
      }
    },
    async verify() {
      try {
        await transport.verify();
      } catch (error) {
        throw classifySendError(error);
      }
    },
    close() {
      transport.close();
    },
  };
}

/** The RFC 5322 Message-ID of a notification: the Kafka message id, made a dot-atom. */
export function notificationMessageId(kafkaMessageId: string, domain = 'notifier.corral'): string {
  return `<${kafkaMessageId.replace(/[^A-Za-z0-9_-]+/g, '.')}@${domain}>`;
}
