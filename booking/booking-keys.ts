// The booking data layout, written once: DynamoDB keys of seats, holds and bookings, and the Redis
// keys (seat locks, hold requests). Seat locks share the hash tag `{bk:<eventId>}` (one slot per event).
import { z } from 'zod';
import { eventIdSchema } from '../lib/ids.js';

export { eventIdSchema };

const labelSchema = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ or -, at most 32');

export const seatRefSchema = z.object({
  section: labelSchema,
  row: labelSchema,
  number: z.number().int().min(1).max(9999),
});
export type SeatRef = z.infer<typeof seatRefSchema>;

export const holdIdSchema = z.string().regex(/^h_[A-Za-z0-9_-]{10,64}$/, 'hold id');

export const eventPk = (eventId: string) => `EVENT#${eventId}`;
export const seatSk = (seat: SeatRef) => `SEAT#${seat.section}#${seat.row}#${seat.number}`;
export const sectionSkPrefix = (section: string) => `SEAT#${section}#`;
export const SEAT_SK_PREFIX = 'SEAT#';
/** Holds live under their event so the audit sees every hold, live or not. */
export const holdKey = (eventId: string, holdId: string) => ({ pk: eventPk(eventId), sk: `HOLD#${holdId}` });
export const HOLD_SK_PREFIX = 'HOLD#';
/** Bookings live under their event so the audit can list them; the booking id is the hold id. */
export const bookingKey = (eventId: string, holdId: string) => ({ pk: eventPk(eventId), sk: `BOOKING#${holdId}` });
export const BOOKING_SK_PREFIX = 'BOOKING#';
/** Per-fan seat counter of an event (live holds + bookings): the per-fan limit's guard. */
export const fanSeatsKey = (eventId: string, fanId: string) => ({ pk: eventPk(eventId), sk: `${FAN_SK_PREFIX}${fanId}` });
export const FAN_SK_PREFIX = 'FAN#';

export function parseSeatSk(sk: string): SeatRef {
  const [, section, row, number] = sk.split('#');
  return { section: section!, row: row!, number: Number(number) };
}

export function bookingRedisKeys(keyPrefix: string, eventId: string) {
  const tag = `${keyPrefix}{bk:${eventId}}`;
  return {
    seatLock: (sk: string) => `${tag}:lock:${sk}`,
    /** The seat-map cache (seat-map-cache.ts), one hash per section: seat sk ->
     * "version|status|heldUntil|priceTier|priceCents", plus `~`-prefixed count fields. */
    seatMapSection: (section: string) => `${tag}:seat-map:${section}`,
    /** Sorted set of the section's HELD seats ("tier|heldUntil|sk", lexical), so lapsed holds are counted without reading seats. */
    seatMapHolds: (section: string) => `${tag}:seat-map-holds:${section}`,
    /** hash section -> seats at fill: the cached sections, written last at fill and expiring first. */
    seatMapIndex: `${tag}:seat-map-index`,
    /** hash holdTtlSeconds, maxSeatsPerFan, maxSeatsPerHold: the organizer's booking settings. */
    settings: `${tag}:settings`,
  };
}

/** Set of event ids ops pinned to the dedicated headline queue. */
export const headlineEventsKey = (keyPrefix: string) => `${keyPrefix}bk:headline-events`;

/** hold id -> the request that created it (event, fan, body hash, job data); the Idempotency-Key record. */
export const holdRequestKey = (keyPrefix: string, holdId: string) => `${keyPrefix}bk:hold-request:${holdId}`;

export type SeatStatus = 'AVAILABLE' | 'HELD' | 'SOLD';
export type HoldStatus = 'HELD' | 'RELEASED' | 'EXPIRED' | 'CONFIRMED';

export interface SeatItem {
  pk: string;
  sk: string;
  section: string;
  row: string;
  number: number;
  priceTier: string;
  priceCents: number;
  status: SeatStatus;
  holdId?: string;
  heldUntil?: number;
  version: number;
}

export interface HoldItem {
  pk: string;
  sk: string;
  holdId: string;
  eventId: string;
  fanId: string;
  seatKeys: string[];
  amountCents: number;
  status: HoldStatus;
  heldUntil: number;
  createdAt: number;
  paymentId?: string;
}

export interface BookingItem {
  pk: string;
  sk: string;
  bookingId: string;
  holdId: string;
  eventId: string;
  fanId: string;
  seatKeys: string[];
  amountCents: number;
  paymentId: string;
  confirmedAt: number;
}

/** A seat can be taken when free, or when its hold has lapsed (expired holds are reclaimable). */
export function isReservable(seat: Pick<SeatItem, 'status' | 'heldUntil'>, nowMs: number): boolean {
  return seat.status === 'AVAILABLE' || (seat.status === 'HELD' && (seat.heldUntil ?? 0) < nowMs);
}
