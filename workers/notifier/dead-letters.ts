// Where a notification the notifier gave up on goes: the `notification.dead-letter` topic, one message
// per failed Kafka message, with the reason and the original value, so an operator can see why and
// re-drive it. Its id is the original message id (a repeated dead letter dedups on it).
import type { Producer } from 'kafkajs';
import type { Topic } from '../../lib/kafka.js';

export const DEAD_LETTER_TOPIC = 'notification.dead-letter' satisfies Topic;

export type DeadLetterReason =
  /** Not a message this consumer understands (bad JSON, missing fields). */
  | 'malformed'
  /** A `u:` fan whose user no longer exists. */
  | 'unknown-recipient'
  /** The SMTP server refused the mail for good (5xx). */
  | 'smtp-rejected'
  /** Temporary refusals (4xx) past the bounded retries. */
  | 'smtp-retries-exhausted';

export interface SourceRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string;
}

export interface DeadLetter {
  source: SourceRecord;
  /** The message's id when it had one. */
  id?: string;
  eventId?: string;
  reason: DeadLetterReason;
  detail: string;
  attempts: number;
}

export function deadLetterMessage(letter: DeadLetter, now: Date): { key: string | null; value: string } {
  const { source } = letter;
  return {
    key: source.key,
    value: JSON.stringify({
      id: letter.id ?? `${source.topic}:${source.partition}:${source.offset}`,
      type: DEAD_LETTER_TOPIC,
      version: 1,
      time: now.toISOString(),
      eventId: letter.eventId ?? source.key ?? '',
      data: { reason: letter.reason, detail: letter.detail, attempts: letter.attempts, topic: source.topic, partition: source.partition, offset: source.offset, message: source.value },
    }),
  };
}

export class DeadLetters {
  constructor(
    private readonly producer: Producer,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Resolves once Kafka has the dead letter (all in-sync replicas); throws otherwise. */
  async write(letter: DeadLetter): Promise<void> {
    await this.producer.send({ topic: DEAD_LETTER_TOPIC, acks: -1, messages: [deadLetterMessage(letter, this.clock())] });
  }
}
