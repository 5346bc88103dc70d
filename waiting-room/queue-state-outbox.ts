// The waiting room's Redis outbox for `queue.state-changed`. Every Lua script that changes a room's
// state, rate or max active shoppers appends an entry to `{wr:<event>}:outbox` in the same script, so
// the change and its message commit together. Invariant: an entry leaves the stream only after Kafka
// acknowledged it, and the relay keeps looking at an event until it has read the stream empty long
// enough after the event's last mark that no writer can still be about to append (see `markPending`).
//
// Why a mark BEFORE the script and a grace period, not "SADD after the script": in Redis Cluster the
// global pending set cannot be written atomically with a per-event stream. A mark written after the
// script is lost if the writer dies in between, and a mark the relay removes before reading is lost
// if the relay dies in between; the grace rule below covers both, for rooms in any state (a closed
// room is no longer in the admission active-events set, so that set cannot be the safety net).
import type { RedisClient } from '../lib/redis.js';
import { z } from 'zod';
import { runScript } from '../lib/redis-scripts.js';
import { DEFAULT_KEY_PREFIX, eventIdSchema, waitingRoomKeys } from './queue-keys.js';
import { roomStateSchema } from './room-config.js';
import { defineWaitingRoomScripts, waitingRoomScripts } from './waiting-room-scripts.js';

export const QUEUE_STATE_CHANGED_TOPIC = 'queue.state-changed';

export const queueStateReasons = ['configured', 'opened', 'paused', 'resumed', 'closed', 'soldout', 'rate-changed', 'settings-changed'] as const;
export type QueueStateReason = (typeof queueStateReasons)[number];

/** One stream entry as the scripts write it (every field a string; '' previousState = none). */
export const queueStateEntrySchema = z.object({
  id: z.string().min(1).max(128),
  time: z.coerce.number().int().min(0),
  state: roomStateSchema,
  previousState: z.union([z.literal('').transform(() => null), roomStateSchema]),
  admissionRatePerMinute: z.coerce.number().int().min(0),
  maxActiveShoppers: z.coerce.number().int().min(0),
  reason: z.enum(queueStateReasons),
});
export type QueueStateChange = z.output<typeof queueStateEntrySchema>;

/** A writer must finish its script within this long of marking (one Redis call: far less in practice). */
export const DEFAULT_MARK_GRACE_MS = 60_000;

/** The outbox keys outside any one event's slot, written once. */
export function queueStateOutboxKeys(keyPrefix: string = DEFAULT_KEY_PREFIX): { pending: string } {
  // Sorted set eventId -> time of its latest mark (ms).
  return { pending: `${keyPrefix}queue-outbox:pending` };
}

export interface OutboxEntry {
  /** Redis stream entry id (what XDEL removes). */
  streamId: string;
  fields: Record<string, string>;
}

export class QueueStateOutbox {
  readonly pendingKey: string;

  constructor(
    private readonly redis: RedisClient,
    private readonly keyPrefix: string = DEFAULT_KEY_PREFIX,
    /** Wall clock of the mark; compared with the relay's, so it is never a test's fake sale clock. */
    private readonly clock: () => number = Date.now,
  ) {
    this.pendingKey = queueStateOutboxKeys(keyPrefix).pending;
    defineWaitingRoomScripts(redis);
  }

  /**
   * Call BEFORE running a script that may append to the event's outbox. The relay forgets an event
   * only after reading its stream empty at least the grace period after the latest mark, so an entry
   * appended by the script that followed this mark is always read, even if the writer dies right
   * after its script. GT: a writer with a slower clock never moves a newer mark back.
   */
  async markPending(eventId: string): Promise<void> {
    await this.redis.zadd(this.pendingKey, 'GT', this.clock(), eventIdSchema.parse(eventId));
  }

  /** The events to look at, oldest mark first, with the time of their latest mark. */
  async pendingEvents(limit: number): Promise<Array<{ eventId: string; markedAt: number }>> {
    const flat = await this.redis.zrange(this.pendingKey, 0, limit - 1, 'WITHSCORES');
    const events: Array<{ eventId: string; markedAt: number }> = [];
    for (let index = 0; index + 1 < flat.length; index += 2) events.push({ eventId: flat[index]!, markedAt: Number(flat[index + 1]) });
    return events;
  }

  /**
   * The first `count` entries of each event's stream. Sent as separate commands in one tick, not
   * as a pipeline: on a cluster the streams live on several nodes, and an ioredis
   * cluster pipeline must stay on one node ("All keys in the pipeline should belong to the same
   * slots allocation group"). Sent without waiting for each other, they still cost one round trip.
   */
  async readEntries(eventIds: readonly string[], count: number): Promise<Map<string, OutboxEntry[]>> {
    const replies = await Promise.all(eventIds.map((eventId) => this.redis.xrange(waitingRoomKeys(eventId, this.keyPrefix).stateOutbox, '-', '+', 'COUNT', count)));
    const entries = new Map<string, OutboxEntry[]>();
    eventIds.forEach((eventId, index) => {
      entries.set(
        eventId,
        replies[index]!.map(([streamId, pairs]) => ({ streamId, fields: pairsToRecord(pairs) })),
      );
    });
    return entries;
  }

  /** Removes entries Kafka has acknowledged; the stream itself is the relay's checkpoint. One
   * command per stream, not a pipeline, for the reason given at readEntries. */
  async deleteEntries(streamIdsByEvent: ReadonlyMap<string, readonly string[]>): Promise<void> {
    await Promise.all(
      [...streamIdsByEvent]
        .filter(([, streamIds]) => streamIds.length > 0)
        .map(([eventId, streamIds]) => this.redis.xdel(waitingRoomKeys(eventId, this.keyPrefix).stateOutbox, ...streamIds)),
    );
  }

  /**
   * Stops looking at an event whose stream was read empty at `readAt`, unless it was marked after
   * `readAt - graceMs` (a writer may still append): the check and the removal are one script.
   */
  async forgetIfQuiet(eventId: string, readAt: number, graceMs: number): Promise<boolean> {
    return (await runScript(this.redis, waitingRoomScripts.forgetOutboxEvent.name, [this.pendingKey], [eventId, readAt - graceMs])) === 1;
  }

  /** Drops a member that is not a valid event id (it can have no stream). */
  async forget(eventId: string): Promise<void> {
    await this.redis.zrem(this.pendingKey, eventId);
  }
}

function pairsToRecord(pairs: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let index = 0; index + 1 < pairs.length; index += 2) record[pairs[index]!] = pairs[index + 1]!;
  return record;
}
