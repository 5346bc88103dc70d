// Relays the MySQL outbox (catalog changes) to Kafka: oldest unpublished messages first, produced
// with an idempotent producer keyed by the event id, then marked published. A crash between the
// produce and the mark re-sends the message on the next pass (at-least-once); consumers
// deduplicate on the message id, which every payload carries. The relay role runs passes in
// runRelayLoop (relay-loop.ts), which connects the producer and backs off while Kafka is down.
import type { Producer } from 'kafkajs';
import type { Logger } from '../../lib/log.js';
import type { PrismaClient } from '../../lib/mysql.js';
import { observeRelayLag } from './relay-metrics.js';

export interface RelayPassResult {
  published: number;
}

export class MysqlOutboxRelay {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly producer: Producer,
    private readonly log: Logger,
    private readonly batchSize = 100,
  ) {}

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
    observeRelayLag('mysql-outbox-relay', pending.map((message) => message.createdAt.getTime()), Date.now());
    await this.prisma.outboxMessage.updateMany({ where: { id: { in: pending.map((message) => message.id) } }, data: { publishedAt: new Date() } });
    this.log.debug({ count: pending.length }, 'relayed MySQL outbox messages');
    return { published: pending.length };
  }
}
