// The booking data layout, written once: DynamoDB keys of seats, holds, bookings and fan counters,
// and the Redis keys (seat locks, seat map, hold requests). No DynamoDB partition key and no Redis
// slot is shared by a whole event (docs/decisions/0010-spread-event-partitions.md): seats live in
// partitions of one row (at most 100 seat numbers each), holds, bookings and fan counters in 64
// hash shards each, and the section is the Redis hash tag of its seat locks and seat-map hashes.
import { createHash } from 'node:crypto';
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

/** A seat's identity everywhere (hold items, outbox events, the seat-map cache): its sort key. */
export const seatSk = (seat: SeatRef) => `SEAT#${seat.section}#${seat.row}#${seat.number}`;
export const SEAT_SK_PREFIX = 'SEAT#';
export const HOLD_SK_PREFIX = 'HOLD#';
export const BOOKING_SK_PREFIX = 'BOOKING#';
export const FAN_SK_PREFIX = 'FAN#';

export function parseSeatSk(sk: string): SeatRef {
  const [, section, row, number] = sk.split('#');
  return { section: section!, row: row!, number: Number(number) };
}

/** Seat numbers per seat partition within a row: a partition holds at most this many seats, so it
 * can never take more than a few hundred write units in a second, however fast they sell. */
export const SEAT_NUMBERS_PER_PARTITION = 100;
/** Hash shards per event of holds, of bookings and of fan counters (a constant of the layout:
 * changing it moves items, see the decision's migration note). */
export const HOLD_SHARDS = 64;
export const BOOKING_SHARDS = 64;
export const FAN_SHARDS = 64;

function shardOf(id: string, shards: number): number {
  return createHash('sha1').update(id).digest().readUInt32BE(0) % shards;
}

/** A seat partition of an event: `<section>#<row>#<block>`, block = (number - 1) / 100. */
export function seatPartitionOf(sk: string): string {
  const seat = parseSeatSk(sk);
  return `${seat.section}#${seat.row}#${Math.floor((seat.number - 1) / SEAT_NUMBERS_PER_PARTITION)}`;
}
export const sectionOfPartition = (partition: string) => partition.split('#')[0]!;

export interface ItemKey {
  pk: string;
  sk: string;
}

/** Where each kind of inventory item lives. The transaction builders and reads go through this, so
 * the capacity model (scripts/capacity-cli.ts) can meter the same builders under another layout. */
export interface InventoryKeys {
  readonly name: string;
  seat(eventId: string, sk: string): ItemKey;
  hold(eventId: string, holdId: string): ItemKey;
  booking(eventId: string, holdId: string): ItemKey;
  fanSeats(eventId: string, fanId: string): ItemKey;
}

const eventRoot = (eventId: string) => `EVENT#${eventId}`;
export const seatPartitionPk = (eventId: string, partition: string) => `${eventRoot(eventId)}#SEATS#${partition}`;
export const holdShardPk = (eventId: string, shard: number) => `${eventRoot(eventId)}#HOLDS#${shard}`;
export const bookingShardPk = (eventId: string, shard: number) => `${eventRoot(eventId)}#BOOKINGS#${shard}`;
export const fanShardPk = (eventId: string, shard: number) => `${eventRoot(eventId)}#FANS#${shard}`;

/** The layout in use: every partition key is one row block, or one shard of an event's holds,
 * bookings or fan counters. */
export const inventoryKeys: InventoryKeys = {
  name: 'spread',
  seat: (eventId, sk) => ({ pk: seatPartitionPk(eventId, seatPartitionOf(sk)), sk }),
  hold: (eventId, holdId) => ({ pk: holdShardPk(eventId, shardOf(holdId, HOLD_SHARDS)), sk: `${HOLD_SK_PREFIX}${holdId}` }),
  booking: (eventId, holdId) => ({ pk: bookingShardPk(eventId, shardOf(holdId, BOOKING_SHARDS)), sk: `${BOOKING_SK_PREFIX}${holdId}` }),
  fanSeats: (eventId, fanId) => ({ pk: fanShardPk(eventId, shardOf(fanId, FAN_SHARDS)), sk: `${FAN_SK_PREFIX}${fanId}` }),
};

/** The layout before decision 0010 (everything under `EVENT#<id>`): kept only so `npm run capacity`
 * can print its figures beside today's. Nothing reads or writes a table with it. */
export const eventWideKeys: InventoryKeys = {
  name: 'event-wide',
  seat: (eventId, sk) => ({ pk: eventRoot(eventId), sk }),
  hold: (eventId, holdId) => ({ pk: eventRoot(eventId), sk: `${HOLD_SK_PREFIX}${holdId}` }),
  booking: (eventId, holdId) => ({ pk: eventRoot(eventId), sk: `${BOOKING_SK_PREFIX}${holdId}` }),
  fanSeats: (eventId, fanId) => ({ pk: eventRoot(eventId), sk: `${FAN_SK_PREFIX}${fanId}` }),
};

/** Every partition key an event's holds, bookings or fan counters can live under (the audit's fan-out). */
export const holdShardPks = (eventId: string) => Array.from({ length: HOLD_SHARDS }, (_, shard) => holdShardPk(eventId, shard));
export const bookingShardPks = (eventId: string) => Array.from({ length: BOOKING_SHARDS }, (_, shard) => bookingShardPk(eventId, shard));
export const fanShardPks = (eventId: string) => Array.from({ length: FAN_SHARDS }, (_, shard) => fanShardPk(eventId, shard));

/** The event's seat partitions, one item per section (`partitions`: a string set of partition ids),
 * written at provisioning before its seats: the known partitions event-wide reads fan out over.
 * Read on cold paths only (fills, audit, recounts), never written during a sale. */
export const SEAT_PARTITIONS_SK_PREFIX = 'SEAT-PARTITIONS#';
export const seatPartitionsKey = (eventId: string, section: string): ItemKey => ({ pk: eventRoot(eventId), sk: `${SEAT_PARTITIONS_SK_PREFIX}${section}` });
export const seatPartitionsPk = eventRoot;

/** Redis keys of an event. Per-section keys (seat locks, seat-map hash and holds set) share the hash
 * tag `{bk:<event>:<section>}`, so a Redis Cluster spreads one event's sections over its slots; the
 * event-wide few (section index, settings) share `{bk:<event>}`. A Lua script only ever takes keys
 * of one tag. */
export function bookingRedisKeys(keyPrefix: string, eventId: string) {
  const eventTag = `${keyPrefix}{bk:${eventId}}`;
  const sectionTag = (section: string) => `${keyPrefix}{bk:${eventId}:${section}}`;
  return {
    seatLock: (sk: string) => `${sectionTag(parseSeatSk(sk).section)}:lock:${sk}`,
    /** The seat-map cache (seat-map-cache.ts), one hash per section: seat sk ->
     * "version|status|heldUntil|priceTier|priceCents", plus `~`-prefixed count fields. */
    seatMapSection: (section: string) => `${sectionTag(section)}:seat-map`,
    /** Sorted set of the section's HELD seats ("tier|heldUntil|sk", lexical), so lapsed holds are counted without reading seats. */
    seatMapHolds: (section: string) => `${sectionTag(section)}:seat-map-holds`,
    /** hash section -> seats at fill: the cached sections, written last at fill and expiring first. */
    seatMapIndex: `${eventTag}:seat-map-index`,
    /** hash holdTtlSeconds, maxSeatsPerFan, maxSeatsPerHold: the organizer's booking settings. */
    settings: `${eventTag}:settings`,
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
