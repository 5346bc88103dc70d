// Notifier settings, parsed once by zod with safe defaults; every name is the environment variable it
// reads (the mail server itself is SMTP_URL in lib/config.ts, which the local stack reads too).
import { z } from 'zod';
import { loadSettings } from '../../lib/config.js';

const ms = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const notifierConfigSchema = z.object({
  /** The From header of every mail. */
  MAIL_FROM: z.string().min(3).default('Corral <tickets@corral.local>'),
  /** Kafka consumer group; one per deployment (offsets and the ledger make it safe to scale out). */
  NOTIFIER_GROUP_ID: z.string().min(1).default('corral-notifier'),
  /** Partitions handled at once by one notifier process. */
  NOTIFIER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(3),
  /** Tries per mail while the server answers with temporary refusals (4xx), then a dead letter. */
  NOTIFIER_SEND_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  NOTIFIER_RETRY_BASE_MS: ms(10, 60_000).default(500),
  NOTIFIER_RETRY_MAX_MS: ms(10, 300_000).default(10_000),
  /** Cap of the wait between probes while the SMTP server is unreachable (no dead letters then). */
  NOTIFIER_OUTAGE_MAX_MS: ms(100, 300_000).default(10_000),
  /** How long a claim on a message lasts without renewal; a dead notifier's claim lapses after it. */
  NOTIFIER_CLAIM_TTL_MS: ms(1_000, 3_600_000).default(60_000),
  SMTP_CONNECT_TIMEOUT_MS: ms(100, 120_000).default(5_000),
  SMTP_SOCKET_TIMEOUT_MS: ms(100, 600_000).default(15_000),
});

export type NotifierConfig = z.infer<typeof notifierConfigSchema>;

export function loadNotifierConfig(env: NodeJS.ProcessEnv = process.env): NotifierConfig {
  return loadSettings(notifierConfigSchema, env);
}
