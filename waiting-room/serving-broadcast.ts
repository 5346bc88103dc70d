// The contract between the admission ticker and the fans' pages: once per tick (and at once on a
// state change) one `serving` packet per event goes to the event's Socket.IO room through the
// Socket.IO Redis emitter, so the cost is O(events) per tick and the ticker never knows the servers.
import { Emitter } from '@socket.io/redis-emitter';
import type { RedisClient } from '../lib/redis.js';
import type { QueueStore } from './queue-store.js';
import { roomStateSchema, type RoomState } from './room-config.js';

export const QUEUE_NAMESPACE = '/queue';
export const SERVING_EVENT = 'serving';
/** Channel prefix shared by the emitter and the waiting-room servers' Redis adapter. */
export const SOCKET_IO_CHANNEL_KEY = 'corral-socket.io';

export interface ServingUpdate {
  eventId: string;
  serving: number;
  issued: number;
  admissionRatePerMinute: number;
  state: RoomState;
}

export function eventRoom(eventId: string): string {
  return `event:${eventId}`;
}

export class ServingBroadcaster {
  private readonly emitter: Emitter;

  constructor(redis: RedisClient, channelKey: string = SOCKET_IO_CHANNEL_KEY) {
    this.emitter = new Emitter(redis, { key: channelKey }).of(QUEUE_NAMESPACE);
  }

  publish(update: ServingUpdate): void {
    this.emitter.to(eventRoom(update.eventId)).emit(SERVING_EVENT, update);
  }
}

/** One read of what a subscriber needs now; null when the event has no waiting room. */
export async function readServingUpdate(redis: RedisClient, store: QueueStore, eventId: string): Promise<ServingUpdate | null> {
  const keys = store.keys(eventId);
  // MULTI: one consistent snapshot (the keys share a hash tag, so this works on a cluster too).
  const replies = await redis.multi().get(keys.serving).get(keys.issued).hmget(keys.config, 'state', 'admissionRatePerMinute').exec();
  if (replies === null) throw new Error('serving snapshot transaction was aborted');
  for (const [error] of replies) if (error) throw error;
  const serving = replies[0]?.[1] as string | null;
  const issued = replies[1]?.[1] as string | null;
  const config = replies[2]?.[1] as Array<string | null>;
  const state = roomStateSchema.safeParse(config[0]);
  if (!state.success) return null;
  return {
    eventId,
    serving: Number(serving ?? '0'),
    issued: Number(issued ?? '0'),
    admissionRatePerMinute: Number(config[1] ?? '0'),
    state: state.data,
  };
}
