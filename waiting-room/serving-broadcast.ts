// The contract between the admission ticker and the fans' pages: once per tick (and at once on a
// state change) one `serving` packet per event goes to the event's Socket.IO room through the
// Socket.IO Redis emitter, so the cost is O(events) per tick and the ticker never knows the servers.
import { Emitter } from '@socket.io/redis-emitter';
import type { RedisClient } from '../lib/redis.js';
import type { RoomSnapshot } from './queue-store.js';

export const QUEUE_NAMESPACE = '/queue';
export const SERVING_EVENT = 'serving';
/** Channel prefix shared by the emitter and the waiting-room servers' Redis adapter. */
export const SOCKET_IO_CHANNEL_KEY = 'corral-socket.io';

export type ServingUpdate = RoomSnapshot;

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
