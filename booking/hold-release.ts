// Ends a live hold without a sale: expiry (at heldUntil) or release by its owner. Seats go back to
// AVAILABLE only while still held by this hold; seats that a newer hold has already reclaimed are
// left alone. The hold's status change and its outbox event commit in the same transaction.
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { fanSeatsKey, holdKey, type HoldItem } from './booking-keys.js';
import type { BookingStore } from './booking-store.js';
import { heldSeatUpdate } from './held-seat-update.js';
import { readHold, readSeats } from './booking-reads.js';
import { failedConditionIndexes, withDynamoRetry } from './transaction-outcome.js';
import { BOOKING_EVENT_TYPES } from './booking-events.js';

export type ReleaseReason = 'expired' | 'released';

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
    const nextStatus = reason === 'expired' ? 'EXPIRED' : 'RELEASED';
    try {
      await withDynamoRetry(() =>
        store.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              ...stillOurs.map((sk) => heldSeatUpdate(store, hold.eventId, holdId, sk, 'AVAILABLE')),
              {
                Update: {
                  TableName: store.tables.inventory,
                  Key: holdKey(eventId, holdId),
                  UpdateExpression: 'SET #status = :next, endedAt = :now',
                  ConditionExpression: '#status = :held',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':next': nextStatus, ':held': 'HELD', ':now': now },
                },
              },
              {
                Put: {
                  TableName: store.tables.outbox,
                  Item: {
                    id: `${holdId}:${reason}`,
                    type: reason === 'expired' ? BOOKING_EVENT_TYPES.holdExpired : BOOKING_EVENT_TYPES.holdReleased,
                    eventId: hold.eventId,
                    holdId,
                    fanId: hold.fanId,
                    seatKeys: stillOurs,
                    at: now,
                  },
                },
              },
              // The fan's counter took every seat of the hold when it was placed; all of them go back.
              {
                Update: {
                  TableName: store.tables.inventory,
                  Key: fanSeatsKey(hold.eventId, hold.fanId),
                  UpdateExpression: 'ADD seatCount :seats',
                  ExpressionAttributeValues: { ':seats': -hold.seatKeys.length },
                },
              },
            ],
          }),
        ),
      );
      return { outcome: 'released', seatKeys: stillOurs };
    } catch (error) {
      // A seat was reclaimed or the hold confirmed between our read and write: read again.
      if (!failedConditionIndexes(error) || attempt >= RELEASE_ATTEMPTS) throw error;
    }
  }
}
