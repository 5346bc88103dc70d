// Relays the MySQL outbox (catalog changes) to Kafka: oldest unpublished messages first, produced
// with an idempotent producer keyed by the event id, then marked published. A crash between the
// produce and the mark re-sends the message on the next pass (at-least-once); consumers
// deduplicate on the message id, which every payload carries.
import type { Producer } from 'kafkajs';
import type { Logger } from '../../lib/log.js';
import type { PrismaClient } from '../../lib/mysql.js';

export interface RelayPassResult {
  published: number;
}

export class MysqlOutboxRelay {
  private connected = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly producer: Producer,
    private readonly log: Logger,
    private readonly batchSize = 100,
  ) {
    producer.on(producer.events.CONNECT, () => {
      this.connected = true;
    });
    producer.on(producer.events.DISCONNECT, () => {
      this.connected = false;
    });
  }

  /** One pass: publishes up to batchSize messages; returns how many it published. */
  async relayOnce(): Promise<RelayPassResult> {
    const pending = await this.prisma.outboxMessage.findMany({
      where: { publishedAt: null },
      orderBy: { createdAt: 'asc' },
      take: this.batchSize,
    });
    if (pending.length === 0) return { published: 0 };
    const byTopic = new Map<string, typeof pending>();
    for (const message of pending) byTopic.set(message.topic, [...(byTopic.get(message.topic) ?? []), message]);
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({
        topic,
        messages: messages.map((message) => ({
          key: message.messageKey,
          value: JSON.stringify(message.payload),
          headers: { 'message-id': message.id },
        })),
      })),
    });
    await this.prisma.outboxMessage.updateMany({ where: { id: { in: pending.map((message) => message.id) } }, data: { publishedAt: new Date() } });
    this.log.debug({ count: pending.length }, 'relayed MySQL outbox messages');
    return { published: pending.length };
  }

  /** Relays until stopped; idle passes wait `idleMs`, failures back off up to `maxBackoffMs`. */
  run(idleMs = 500, maxBackoffMs = 10_000): { stop(): Promise<void>; lastError(): string | undefined } {
    let stopped = false;
    let failure: string | undefined;
    let wake: (() => void) | undefined;
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    const loop = (async () => {
      let backoff = idleMs;
      while (!stopped) {
        try {
          // Kafka may be down at start or go away later: reconnect on the next pass.
          if (!this.connected) await this.producer.connect();
          const { published } = await this.relayOnce();
          failure = undefined;
          backoff = idleMs;
          if (published === 0) await sleep(idleMs);
        } catch (error) {
          failure = (error as Error).message;
          this.log.warn({ err: error, retryInMs: backoff }, 'MySQL outbox relay pass failed');
          await sleep(backoff);
          backoff = Math.min(backoff * 2, maxBackoffMs);
        }
      }
    })();
    return {
      stop: async () => {
        stopped = true;
        wake?.();
        await loop;
      },
      lastError: () => failure,
    };
  }
}
