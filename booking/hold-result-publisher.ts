// Pushes each reserve result to the fan's Socket.IO room (`fan:<fanId>` on `/queue`) through the
// Redis emitter, so the worker never knows which gateway holds the fan's socket. Best effort: the
// result is also readable at GET /api/holds/:id, which stays the source of truth.
import { Emitter } from '@socket.io/redis-emitter';
import type { RedisClient } from '../lib/redis.js';
import { fanRoom } from '../waiting-room/fan-rooms.js';
import { QUEUE_NAMESPACE, SOCKET_IO_CHANNEL_KEY } from '../waiting-room/serving-broadcast.js';
import { parseSeatSk, type SeatRef } from './booking-keys.js';
import type { ReserveJob, ReserveResult } from './booking-jobs.js';

export const HOLD_RESULT_EVENT = 'hold.result';

export type HoldResultMessage =
  | { eventId: string; holdId: string; status: 'held'; seats: SeatRef[]; expiresAt: string }
  | { eventId: string; holdId: string; status: 'rejected'; reason: string };

export function holdResultMessage(job: ReserveJob, result: ReserveResult): HoldResultMessage {
  if (result.outcome === 'held') {
    return { eventId: job.eventId, holdId: job.holdId, status: 'held', seats: result.seatKeys.map(parseSeatSk), expiresAt: new Date(result.heldUntil).toISOString() };
  }
  return { eventId: job.eventId, holdId: job.holdId, status: 'rejected', reason: result.reason };
}

export class HoldResultPublisher {
  private readonly emitter: Emitter;

  constructor(redis: RedisClient, channelKey: string = SOCKET_IO_CHANNEL_KEY) {
    this.emitter = new Emitter(redis, { key: channelKey }).of(QUEUE_NAMESPACE);
  }

  publish(job: ReserveJob, result: ReserveResult): void {
    this.emitter.to(fanRoom(job.fanId)).emit(HOLD_RESULT_EVENT, holdResultMessage(job, result));
  }
}
