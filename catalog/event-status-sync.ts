// Keeps an event's catalog status in step with its waiting room, from Kafka `queue.state-changed`:
// the room opening (or pausing, which only follows opening) puts a published event on sale; the room
// selling out marks it sold out. Each is a conditional update from the statuses it may follow, with
// its `event.updated` in the same MySQL transaction, so duplicates and stale redeliveries (an `open`
// after `soldout`) match no row and write nothing. Closing the room changes no status (see 0008).
import type { Consumer } from 'kafkajs';
import { z } from 'zod';
import type { Logger } from '../lib/log.js';
import type { PrismaClient } from '../lib/mysql.js';
import { roomStateSchema, type RoomState } from '../waiting-room/room-config.js';
import { changeEventStatus } from './event-status.js';
import type { EventStatus } from './event-statuses.js';

export const QUEUE_STATE_TOPIC = 'queue.state-changed';
export const EVENT_STATUS_SYNC_GROUP = 'corral-event-status-sync';

/** The envelope of docs/events.md; only the fields this consumer acts on are checked. */
export const queueStateChangedSchema = z.object({
  id: z.string().min(1),
  type: z.literal(QUEUE_STATE_TOPIC),
  version: z.literal(1),
  time: z.iso.datetime({ offset: true }),
  eventId: z.string().min(1).max(128),
  data: z.object({ state: roomStateSchema, previousState: z.string().nullable().optional() }),
});
export type QueueStateChanged = z.infer<typeof queueStateChangedSchema>;

/** The catalog status each room state implies, and the statuses it may move an event from. */
const statusOfRoom: Partial<Record<RoomState, { to: EventStatus; from: readonly EventStatus[] }>> = {
  open: { to: 'on_sale', from: ['published'] },
  paused: { to: 'on_sale', from: ['published'] },
  soldout: { to: 'sold_out', from: ['published', 'on_sale'] },
};

/** applied: status changed (one event.updated written); unchanged: already there or past it;
 * ignored: a state that implies no status, or a room with no catalog event; malformed: skipped. */
export type SyncOutcome = 'applied' | 'unchanged' | 'ignored' | 'malformed';

export interface EventStatusSyncOptions {
  prisma: PrismaClient;
  log: Logger;
  clock?: () => Date;
}

export class EventStatusSync {
  private readonly clock: () => Date;

  constructor(private readonly options: EventStatusSyncOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  async apply(raw: string): Promise<SyncOutcome> {
    let message: QueueStateChanged;
    try {
      message = queueStateChangedSchema.parse(JSON.parse(raw));
    } catch (error) {
      // A poison message must not stall the partition: log it and move on.
      this.options.log.warn({ err: error }, 'skipping malformed queue.state-changed message');
      return 'malformed';
    }
    const change = statusOfRoom[message.data.state];
    // Rooms made without the catalog (demo and load-test rooms) have ids that are not event ids.
    if (!change || !z.uuid().safeParse(message.eventId).success) return 'ignored';
    const applied = await changeEventStatus(this.options.prisma, { eventId: message.eventId, ...change }, this.clock);
    if (applied) this.options.log.info({ eventId: message.eventId, status: change.to, roomState: message.data.state }, 'event status follows its waiting room');
    return applied ? 'applied' : 'unchanged';
  }

  /** Subscribes and applies every message; a MySQL failure throws, so kafkajs redelivers it. */
  async run(consumer: Consumer, topic: string = QUEUE_STATE_TOPIC): Promise<void> {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value) await this.apply(message.value.toString());
      },
    });
  }
}
