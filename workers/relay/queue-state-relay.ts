// Relays the waiting room's Redis outbox (queue-state-outbox.ts) to Kafka `queue.state-changed`: per
// pass, the events marked pending, a bounded batch of each one's stream in stream order, one
// idempotent produce (acks all), then XDEL of exactly the relayed entries. The stream is the
// checkpoint: an entry is deleted only after Kafka acknowledged it, so a relay killed between the
// produce and the delete sends it again (same id: consumers dedup) and nothing is ever skipped.
//
// Why no entry is stranded: an event stays in the pending set until a pass has read its stream
// empty at least `markGraceMs` after the event's latest mark, and every writer marks BEFORE its
// script. So a writer that dies right after its script still left a mark newer than any pass that
// could have missed its entry, and a relay that dies anywhere leaves the mark in place (it removes
// marks last). Several relay replicas only duplicate messages: XDEL of a deleted entry is a no-op.
import type { Producer } from 'kafkajs';
import type { Logger } from '../../lib/log.js';
import type { RedisClient } from '../../lib/redis.js';
import { eventIdSchema } from '../../waiting-room/queue-keys.js';
import { DEFAULT_MARK_GRACE_MS, QUEUE_STATE_CHANGED_TOPIC, QueueStateOutbox } from '../../waiting-room/queue-state-outbox.js';
import type { RelayedMessage } from './outbox-envelope.js';
import { queueStateEntryToMessage } from './queue-state-envelope.js';
import { observeRelayLag } from './relay-metrics.js';

export interface QueueStateRelayOptions {
  redis: RedisClient;
  producer: Producer;
  log: Logger;
  /** The waiting room's key prefix (QueueStore's). */
  keyPrefix?: string;
  /** Entries read per event per pass. */
  entriesPerEvent?: number;
  /** Pending events looked at per pass (oldest mark first). */
  eventsPerPass?: number;
  /** Messages produced per pass at most (one event's batch is never split). */
  messagesPerPass?: number;
  /** How long after its latest mark an event is still read (QueueStateOutbox.markPending). */
  markGraceMs?: number;
  clock?: () => number;
}

export class QueueStateRelay {
  private readonly outbox: QueueStateOutbox;
  private readonly entriesPerEvent: number;
  private readonly eventsPerPass: number;
  private readonly messagesPerPass: number;
  private readonly markGraceMs: number;
  private readonly clock: () => number;

  constructor(private readonly options: QueueStateRelayOptions) {
    this.outbox = new QueueStateOutbox(options.redis, options.keyPrefix);
    this.entriesPerEvent = options.entriesPerEvent ?? 100;
    this.eventsPerPass = options.eventsPerPass ?? 1_000;
    this.messagesPerPass = options.messagesPerPass ?? 1_000;
    this.markGraceMs = options.markGraceMs ?? DEFAULT_MARK_GRACE_MS;
    this.clock = options.clock ?? Date.now;
  }

  /** One pass; returns how many messages it produced. */
  async relayOnce(): Promise<{ published: number }> {
    // Taken before any stream is read: "read empty at readAt" must not claim a later time.
    const readAt = this.clock();
    const pending: Array<{ eventId: string; markedAt: number }> = [];
    for (const event of await this.outbox.pendingEvents(this.eventsPerPass)) {
      if (eventIdSchema.safeParse(event.eventId).success) pending.push(event);
      else {
        this.options.log.error({ eventId: event.eventId }, 'queue outbox: pending member is not an event id; dropped');
        await this.outbox.forget(event.eventId);
      }
    }
    if (pending.length === 0) return { published: 0 };
    const entries = await this.outbox.readEntries(
      pending.map((event) => event.eventId),
      this.entriesPerEvent,
    );

    const messages: RelayedMessage[] = [];
    const createdAtMs: number[] = [];
    const relayedStreamIds = new Map<string, string[]>();
    const readToEnd: string[] = [];
    for (const { eventId, markedAt } of pending) {
      const batch = entries.get(eventId) ?? [];
      // Bounded pass: an event left out keeps its mark and is read on a later pass.
      if (messages.length > 0 && messages.length + batch.length > this.messagesPerPass) break;
      const streamIds: string[] = [];
      for (const entry of batch) {
        const converted = queueStateEntryToMessage(eventId, entry.fields);
        if (converted.ok) {
          messages.push(converted.message);
          createdAtMs.push(Number(entry.fields.time));
        }
        // Written by our own scripts, so this is a bug; kept, it would be re-read on every pass forever.
        else this.options.log.error({ eventId, streamId: entry.streamId, fields: entry.fields, problem: converted.problem }, 'queue outbox: unreadable entry deleted, not relayed');
        streamIds.push(entry.streamId);
      }
      relayedStreamIds.set(eventId, streamIds);
      if (batch.length < this.entriesPerEvent && markedAt <= readAt - this.markGraceMs) readToEnd.push(eventId);
    }

    if (messages.length > 0) {
      await this.options.producer.sendBatch({
        acks: -1,
        topicMessages: [
          {
            topic: QUEUE_STATE_CHANGED_TOPIC,
            messages: messages.map((message) => ({ key: message.key, value: message.value, headers: { 'message-id': message.id } })),
          },
        ],
      });
      observeRelayLag('queue-state-relay', createdAtMs, this.clock());
    }
    await this.outbox.deleteEntries(relayedStreamIds);
    for (const eventId of readToEnd) await this.outbox.forgetIfQuiet(eventId, readAt, this.markGraceMs);
    if (messages.length > 0) this.options.log.debug({ count: messages.length }, 'relayed queue.state-changed messages');
    return { published: messages.length };
  }
}
