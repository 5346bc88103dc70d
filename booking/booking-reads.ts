// Consistent reads of one hold and of a set of seats (in one BatchGetItem, however many partitions
// they span): what the reserve, confirm and release steps check before they write, and what the
// seat-map cache refreshes from. Reads only; the transactions' conditions, not these reads, are what
// keep a seat from being sold twice.
import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { HoldItem, ItemKey, SeatItem } from './booking-keys.js';
import type { BookingStore } from './booking-store.js';
import { withDynamoRetry } from './transaction-outcome.js';

/** BatchGetItem's limit of keys per request. */
const BATCH_GET_KEYS = 100;

export async function readHold(store: BookingStore, eventId: string, holdId: string): Promise<HoldItem | undefined> {
  const reply = await withDynamoRetry(() => store.doc.send(new GetCommand({ TableName: store.tables.inventory, Key: store.keys.hold(eventId, holdId), ConsistentRead: true })));
  return reply.Item as HoldItem | undefined;
}

/** Consistent reads of inventory items by key, in requests of 100; unprocessed keys are asked again. */
async function readItems(store: BookingStore, keys: readonly ItemKey[]): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_KEYS) {
    let pending: ItemKey[] = keys.slice(start, start + BATCH_GET_KEYS);
    for (let round = 0; pending.length > 0; round += 1) {
      if (round >= 4) throw new Error('seat read left unprocessed keys');
      const reply = await withDynamoRetry(() => store.doc.send(new BatchGetCommand({ RequestItems: { [store.tables.inventory]: { Keys: pending, ConsistentRead: true } } })));
      items.push(...(reply.Responses?.[store.tables.inventory] ?? []));
      pending = (reply.UnprocessedKeys?.[store.tables.inventory]?.Keys ?? []) as ItemKey[];
    }
  }
  return items;
}

export async function readSeats(store: BookingStore, eventId: string, seatKeys: readonly string[]): Promise<Map<string, SeatItem>> {
  const items = await readItems(store, seatKeys.map((sk) => store.keys.seat(eventId, sk)));
  return new Map(items.map((item) => [item.sk as string, item as unknown as SeatItem]));
}

/** The seats and the hold in one round trip: a reserve of explicit seats learns both whether they
 * are free and whether this very job already placed its hold (a replay). */
export async function readSeatsAndHold(store: BookingStore, eventId: string, seatKeys: readonly string[], holdId: string): Promise<{ seats: Map<string, SeatItem>; hold?: HoldItem }> {
  const holdKey = store.keys.hold(eventId, holdId);
  const items = await readItems(store, [...seatKeys.map((sk) => store.keys.seat(eventId, sk)), holdKey]);
  const hold = items.find((item) => item.pk === holdKey.pk && item.sk === holdKey.sk) as HoldItem | undefined;
  const seats = new Map(items.filter((item) => item !== (hold as unknown)).map((item) => [item.sk as string, item as unknown as SeatItem]));
  return { seats, ...(hold ? { hold } : {}) };
}
