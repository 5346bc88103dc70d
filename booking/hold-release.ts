// Ends a live hold without a sale: expiry (at heldUntil) or release by its owner. Seats go back to
// AVAILABLE only while still held by this hold; seats that a newer hold has already reclaimed are
// left alone. The hold's status change and its outbox event commit in the same transaction.
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { HoldItem } from './booking-keys.js';
import type { BookingStore } from './booking-store.js';
import { readHold, readSeats } from './booking-reads.js';
import { releaseTransaction, type ReleaseReason } from './booking-transactions.js';
import { failedConditionIndexes, withDynamoRetry } from './transaction-outcome.js';

export type { ReleaseReason };

export type ReleaseOutcome =
  | { outcome: 'released'; seatKeys: string[] }
  | { outcome: 'not-yet-expired'; heldUntil: number }
  | { outcome: 'already-ended'; status: HoldItem['status'] }
  | { outcome: 'not-found' };

const RELEASE_ATTEMPTS = 4;

export async function releaseHold(store: BookingStore, eventId: string, holdId: string, reason: ReleaseReason): Promise<ReleaseOutcome> {
  for (let attempt = 1; ; attempt += 1) {
    const hold = await readHold(store, eventId, holdId);
    if (!hold) return { outcome: 'not-found' };
    if (hold.status !== 'HELD') return { outcome: 'already-ended', status: hold.status };
    const now = store.clock();
    if (reason === 'expired' && hold.heldUntil > now) return { outcome: 'not-yet-expired', heldUntil: hold.heldUntil };

    const seats = await readSeats(store, hold.eventId, hold.seatKeys);
    const stillOurs = hold.seatKeys.filter((sk) => seats.get(sk)?.status === 'HELD' && seats.get(sk)?.holdId === holdId);
    try {
      await withDynamoRetry(() => store.doc.send(new TransactWriteCommand({ TransactItems: releaseTransaction(store, hold, stillOurs, reason, now) })));
      return { outcome: 'released', seatKeys: stillOurs };
    } catch (error) {
      // A seat was reclaimed or the hold confirmed between our read and write: read again.
      if (!failedConditionIndexes(error) || attempt >= RELEASE_ATTEMPTS) throw error;
    }
  }
}
