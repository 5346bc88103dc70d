// Checkout: HELD (by this hold, not expired) -> SOLD plus the booking item and its outbox event, in
// one transaction, after the payment is approved. A payment that arrives after the hold ended is
// refunded, never turned into a sale of a seat someone else may now hold.
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { bookingKey, holdKey, type BookingItem, type HoldItem } from './booking-keys.js';
import type { BookingStore } from './booking-store.js';
import type { PaymentProvider } from './payments.js';
import { heldSeatUpdate } from './held-seat-update.js';
import { readHold } from './booking-reads.js';
import { failedConditionIndexes, withDynamoRetry } from './transaction-outcome.js';
import { BOOKING_EVENT_TYPES } from './booking-events.js';

export type ConfirmOutcome =
  | { outcome: 'confirmed'; bookingId: string; seatKeys: string[]; amountCents: number }
  | { outcome: 'not-found' }
  | { outcome: 'declined'; reason: string }
  | { outcome: 'hold-ended'; status: 'EXPIRED' | 'RELEASED'; refunded: boolean };

const confirmed = (hold: HoldItem): ConfirmOutcome => ({ outcome: 'confirmed', bookingId: hold.holdId, seatKeys: hold.seatKeys, amountCents: hold.amountCents });

function endedStatus(hold: HoldItem): 'EXPIRED' | 'RELEASED' {
  return hold.status === 'RELEASED' ? 'RELEASED' : 'EXPIRED';
}

export async function confirmHold(store: BookingStore, payments: PaymentProvider, eventId: string, holdId: string, fanId: string, paymentToken: string): Promise<ConfirmOutcome> {
  const hold = await readHold(store, eventId, holdId);
  if (!hold || hold.fanId !== fanId) return { outcome: 'not-found' };
  if (hold.status === 'CONFIRMED') return confirmed(hold);
  if (hold.status !== 'HELD' || hold.heldUntil <= store.clock()) return { outcome: 'hold-ended', status: endedStatus(hold), refunded: false };

  const charge = await payments.charge({ idempotencyKey: holdId, amountCents: hold.amountCents, paymentToken });
  if (charge.status === 'declined') return { outcome: 'declined', reason: charge.reason };

  const now = store.clock();
  const booking: BookingItem = {
    ...bookingKey(hold.eventId, holdId),
    bookingId: holdId,
    holdId,
    eventId: hold.eventId,
    fanId,
    seatKeys: hold.seatKeys,
    amountCents: hold.amountCents,
    paymentId: charge.paymentId,
    confirmedAt: now,
  };
  try {
    await withDynamoRetry(() =>
      store.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            ...hold.seatKeys.map((sk) => heldSeatUpdate(store, hold.eventId, holdId, sk, 'SOLD')),
            {
              Update: {
                TableName: store.tables.inventory,
                Key: holdKey(eventId, holdId),
                UpdateExpression: 'SET #status = :confirmed, paymentId = :paymentId, endedAt = :now',
                ConditionExpression: '#status = :held AND heldUntil > :now',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':confirmed': 'CONFIRMED', ':held': 'HELD', ':paymentId': charge.paymentId, ':now': now },
              },
            },
            { Put: { TableName: store.tables.inventory, Item: booking, ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Put: {
                TableName: store.tables.outbox,
                Item: { id: `${holdId}:confirmed`, type: BOOKING_EVENT_TYPES.bookingConfirmed, eventId: hold.eventId, holdId, fanId, seatKeys: hold.seatKeys, amountCents: hold.amountCents, at: now },
              },
            },
          ],
        }),
      ),
    );
    return confirmed(hold);
  } catch (error) {
    if (!failedConditionIndexes(error)) throw error;
    const latest = await readHold(store, eventId, holdId);
    if (latest?.status === 'CONFIRMED') return confirmed(latest);
    // The hold lapsed while the payment was in flight: give the money back.
    await payments.refund(charge.paymentId);
    return { outcome: 'hold-ended', status: latest ? endedStatus(latest) : 'EXPIRED', refunded: true };
  }
}
