// Kafka client, the topic list, and a bridge from kafkajs's logger to pino. Retries are bounded so
// an absent broker surfaces as an error instead of an endless reconnect loop.
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Config } from './config.js';
import type { DependencyCheck } from './health.js';
import type { Logger } from './log.js';

export const TOPICS = [
  'seat.changed',
  'hold.created',
  'hold.expired',
  'hold.released',
  'booking.confirmed',
  'event.published',
  'event.updated',
  'queue.state-changed',
  // Notifications the notifier gave up on, each with its reason (workers/notifier/dead-letters.ts).
  'notification.dead-letter',
] as const;
export type Topic = (typeof TOPICS)[number];

export function createKafka(config: Pick<Config, 'KAFKA_BROKERS' | 'KAFKA_CLIENT_ID'>, log: Logger): Kafka {
  return new Kafka({
    clientId: config.KAFKA_CLIENT_ID,
    brokers: config.KAFKA_BROKERS,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 3_000 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...fields } = entry.log;
      const level = entry.level === logLevel.ERROR ? 'error' : entry.level === logLevel.WARN ? 'warn' : 'debug';
      log[level]({ kafka: entry.namespace, ...fields }, message);
    },
  });
}

/** Creates missing topics; safe to call on every start. A single local broker takes replication 1;
 * a production cluster (MSK) wants 3. */
export async function ensureTopics(kafka: Kafka, partitions = 3, replicationFactor = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = TOPICS.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}

export function kafkaCheck(kafka: Kafka): DependencyCheck {
  return {
    name: 'kafka',
    check: async () => {
      const admin = kafka.admin({ retry: { retries: 0 } });
      await admin.connect();
      try {
        await admin.describeCluster();
      } finally {
        await admin.disconnect();
      }
    },
  };
}
