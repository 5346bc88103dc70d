// An event's booking settings, set by its organizer: hold TTL, seats per hold and seats per fan.
// Kept in a Redis hash under the event's booking hash tag; a missing field means the platform
// default (booking config). The api reads them per request and freezes them into the reserve job.
import type { RedisClient } from '../lib/redis.js';
import { z } from 'zod';
import { bookingRedisKeys } from './booking-keys.js';

export const eventBookingSettingsSchema = z
  .object({
    holdTtlSeconds: z.number().int().min(30).max(3600),
    maxSeatsPerHold: z.number().int().min(1).max(50),
    maxSeatsPerFan: z.number().int().min(1).max(200),
  })
  .partial()
  .strict();
export type EventBookingSettingsUpdate = z.infer<typeof eventBookingSettingsSchema>;

export interface EventBookingSettings {
  holdTtlMs: number;
  maxSeatsPerHold: number;
  maxSeatsPerFan: number;
}

export interface BookingDefaults {
  holdTtlMs: number;
  maxSeatsPerHold: number;
  maxSeatsPerFan: number;
}

const storedSchema = z.object({
  holdTtlSeconds: z.coerce.number().int().positive().optional(),
  maxSeatsPerHold: z.coerce.number().int().positive().optional(),
  maxSeatsPerFan: z.coerce.number().int().positive().optional(),
});

/** For the organizer endpoints: validates and stores the given fields, leaving the others as they are. */
export async function writeEventBookingSettings(redis: RedisClient, keyPrefix: string, eventId: string, update: EventBookingSettingsUpdate): Promise<void> {
  const fields = Object.entries(eventBookingSettingsSchema.parse(update)).flatMap(([field, value]) => (value === undefined ? [] : [field, String(value)]));
  if (fields.length > 0) await redis.hset(bookingRedisKeys(keyPrefix, eventId).settings, ...fields);
}

export async function readEventBookingSettings(redis: RedisClient, keyPrefix: string, eventId: string, defaults: BookingDefaults): Promise<EventBookingSettings> {
  const stored = storedSchema.parse(await redis.hgetall(bookingRedisKeys(keyPrefix, eventId).settings));
  return {
    holdTtlMs: stored.holdTtlSeconds !== undefined ? stored.holdTtlSeconds * 1000 : defaults.holdTtlMs,
    maxSeatsPerHold: stored.maxSeatsPerHold ?? defaults.maxSeatsPerHold,
    maxSeatsPerFan: stored.maxSeatsPerFan ?? defaults.maxSeatsPerFan,
  };
}
