// Checkout: HELD (by this hold, not expired) -> SOLD plus the booking item and its outbox event, in
// one transaction, after the payment is approved. A payment that arrives after the hold ended is
// refunded, never turned into a sale of a seat someone else may now hold.
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { HoldItem } from './booking-keys.js';
import type { BookingStore } from './booking-store.js';
import type { PaymentProvider } from './payments.js';
import { readHold } from './booking-reads.js';
import { confirmTransaction } from './booking-transactions.js';
import { failedConditionIndexes, withDynamoRetry } from './transaction-outcome.js';

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

  const { items } = confirmTransaction(store, hold, charge.paymentId, store.clock());
  try {
    await withDynamoRetry(() => store.doc.send(new TransactWriteCommand({ TransactItems: items })));
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
