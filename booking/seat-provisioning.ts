// Provisions an event's seats from the catalog's venue layout (sections -> rows -> seats with tier
// codes) and a tier -> price map: first the event's seat partitions (seat-partitions.ts), then one
// AVAILABLE item per seat in its row partition, written by BatchWriteItem in chunks of 25.
// Resumable and idempotent: seats that already exist are skipped, so a re-run after a crash writes
// only what is missing and never resets a held or sold seat.
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { venueLayoutSchema, type VenueLayout } from '../catalog/venue-layout.js';
import { ValidationError } from '../lib/errors.js';
import { withRetry } from '../lib/retry.js';
import { inventoryKeys, SEAT_SK_PREFIX, seatPartitionOf, seatPartitionPk, seatSk, type InventoryKeys, type SeatItem } from './booking-keys.js';
import { queryPartitions, type BookingStore } from './booking-store.js';
import { querySeatPartitions, recordSeatPartitions } from './seat-partitions.js';

export type { VenueLayout };
/** Price of each tier code a layout uses, in cents. */
export type TierPrices = Readonly<Record<string, number>>;

const BATCH_SIZE = 25;
const UNPROCESSED_ATTEMPTS = 8;

/** One AVAILABLE seat item per seat of the catalog layout, priced by its tier; refuses a tier
 * without a price (a seat must never be sold at an undefined price). */
export function seatsOfLayout(eventId: string, layout: VenueLayout, prices: TierPrices, keys: InventoryKeys = inventoryKeys): SeatItem[] {
  const seats: SeatItem[] = [];
  const unpriced = new Set<string>();
  for (const section of venueLayoutSchema.parse(layout).sections) {
    for (const row of section.rows) {
      for (const seat of row.seats) {
        const priceCents = prices[seat.tier];
        if (priceCents === undefined || !Number.isInteger(priceCents) || priceCents < 0) {
          unpriced.add(seat.tier);
          continue;
        }
        const ref = { section: section.section, row: row.row, number: seat.number };
        seats.push({ ...keys.seat(eventId, seatSk(ref)), ...ref, priceTier: seat.tier, priceCents, status: 'AVAILABLE', version: 0 });
      }
    }
  }
  if (unpriced.size > 0) throw new ValidationError('every tier of the layout needs a price', [...unpriced].map((tier) => ({ path: `prices.${tier}`, message: 'no price for this tier' })));
  return seats;
}

/** Sort keys of the event's provisioned seats: of every recorded partition, or of just the
 * partitions `seatKeys` fall in (what a provisioning run looks at). */
export async function existingSeatKeys(store: BookingStore, eventId: string, seatKeys?: readonly string[]): Promise<Set<string>> {
  const items = seatKeys
    ? await queryPartitions<{ sk: string }>(store, [...new Set(seatKeys.map((sk) => seatPartitionPk(eventId, seatPartitionOf(sk))))], SEAT_SK_PREFIX, { projection: 'sk' })
    : await querySeatPartitions<{ sk: string }>(store, eventId, SEAT_SK_PREFIX, { projection: 'sk' });
  return new Set(items.map((item) => item.sk));
}

class UnprocessedItemsError extends Error {
  constructor(readonly remaining: number) {
    super(`${remaining} seat writes still unprocessed`);
  }
}

export interface ProvisionResult {
  total: number;
  written: number;
  skipped: number;
}

export async function provisionSeats(store: BookingStore, eventId: string, layout: VenueLayout, prices: TierPrices): Promise<ProvisionResult> {
  const seats = seatsOfLayout(eventId, layout, prices, store.keys);
  // Partitions first: a crash after this leaves a listed partition without seats (read as empty),
  // never a seat that event-wide reads cannot find.
  await recordSeatPartitions(store, eventId, seats.map((seat) => seat.sk));
  const existing = await existingSeatKeys(store, eventId, seats.map((seat) => seat.sk));
  const missing = seats.filter((seat) => !existing.has(seat.sk));
  for (let start = 0; start < missing.length; start += BATCH_SIZE) {
    let pending = missing.slice(start, start + BATCH_SIZE).map((seat) => ({ PutRequest: { Item: seat } }));
    // DynamoDB may accept part of a batch; the rest comes back as UnprocessedItems to send again.
    await withRetry(
      async () => {
        const reply = await store.doc.send(new BatchWriteCommand({ RequestItems: { [store.tables.inventory]: pending } }));
        const unprocessed = reply.UnprocessedItems?.[store.tables.inventory] ?? [];
        if (unprocessed.length > 0) {
          pending = unprocessed as typeof pending;
          throw new UnprocessedItemsError(unprocessed.length);
        }
      },
      { attempts: UNPROCESSED_ATTEMPTS, baseDelayMs: 50, maxDelayMs: 2_000, isRetryable: (error) => error instanceof UnprocessedItemsError },
    );
  }
  return { total: seats.length, written: missing.length, skipped: seats.length - missing.length };
}
