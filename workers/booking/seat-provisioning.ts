// Provisions an event's seats from a venue layout: one AVAILABLE item per seat, written by
// BatchWriteItem in chunks of 25. Resumable and idempotent: seats that already exist are skipped,
// so a re-run after a crash writes only what is missing and never resets a held or sold seat.
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { withRetry } from '../../lib/retry.js';
import { eventPk, SEAT_SK_PREFIX, seatRefSchema, seatSk, type SeatItem } from './booking-keys.js';
import type { BookingStore } from './booking-store.js';

export const venueLayoutSchema = z.object({
  sections: z
    .array(
      z.object({
        name: seatRefSchema.shape.section,
        priceTier: z.string().min(1).max(32),
        priceCents: z.number().int().min(0),
        rows: z.array(z.object({ name: seatRefSchema.shape.row, seats: z.number().int().min(1).max(9999) })).min(1),
      }),
    )
    .min(1),
});
export type VenueLayout = z.infer<typeof venueLayoutSchema>;

const BATCH_SIZE = 25;
const UNPROCESSED_ATTEMPTS = 8;

export function seatsOfLayout(eventId: string, layout: VenueLayout): SeatItem[] {
  const seats: SeatItem[] = [];
  for (const section of venueLayoutSchema.parse(layout).sections) {
    for (const row of section.rows) {
      for (let number = 1; number <= row.seats; number += 1) {
        const ref = { section: section.name, row: row.name, number };
        seats.push({ pk: eventPk(eventId), sk: seatSk(ref), ...ref, priceTier: section.priceTier, priceCents: section.priceCents, status: 'AVAILABLE', version: 0 });
      }
    }
  }
  return seats;
}

export async function existingSeatKeys(store: BookingStore, eventId: string): Promise<Set<string>> {
  const keys = new Set<string>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await store.doc.send(
      new QueryCommand({
        TableName: store.tables.inventory,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :seat)',
        ExpressionAttributeValues: { ':pk': eventPk(eventId), ':seat': SEAT_SK_PREFIX },
        ProjectionExpression: 'sk',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) keys.add(item.sk as string);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return keys;
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

export async function provisionSeats(store: BookingStore, eventId: string, layout: VenueLayout): Promise<ProvisionResult> {
  const seats = seatsOfLayout(eventId, layout);
  const existing = await existingSeatKeys(store, eventId);
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
