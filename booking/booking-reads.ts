// Consistent reads of one hold and of a set of seats: what the reserve, confirm and release steps
// check before they write, and what the seat-map cache fills from. Reads only; the transactions'
// conditions, not these reads, are what keep a seat from being sold twice.
import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { eventPk, holdKey, type HoldItem, type SeatItem } from './booking-keys.js';
import type { BookingStore } from './booking-store.js';
import { withDynamoRetry } from './transaction-outcome.js';

export async function readHold(store: BookingStore, eventId: string, holdId: string): Promise<HoldItem | undefined> {
  const reply = await store.doc.send(new GetCommand({ TableName: store.tables.inventory, Key: holdKey(eventId, holdId), ConsistentRead: true }));
  return reply.Item as HoldItem | undefined;
}

export async function readSeats(store: BookingStore, eventId: string, seatKeys: readonly string[]): Promise<Map<string, SeatItem>> {
  const found = new Map<string, SeatItem>();
  const reply = await withDynamoRetry(() =>
    store.doc.send(
      new BatchGetCommand({
        RequestItems: { [store.tables.inventory]: { Keys: seatKeys.map((sk) => ({ pk: eventPk(eventId), sk })), ConsistentRead: true } },
      }),
    ),
  );
  for (const item of reply.Responses?.[store.tables.inventory] ?? []) found.set(item.sk as string, item as SeatItem);
  if (Object.keys(reply.UnprocessedKeys ?? {}).length > 0) throw new Error('seat read left unprocessed keys');
  return found;
}
