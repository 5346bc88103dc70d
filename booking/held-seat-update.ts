// The one transaction item that moves a seat out of a hold: only while the seat is still HELD by
// that hold, so a confirm or a release can never touch a seat another hold has since taken.
import { eventPk } from './booking-keys.js';
import type { BookingStore } from './booking-store.js';

export type SeatAfterHold = 'SOLD' | 'AVAILABLE';

export function heldSeatUpdate(store: BookingStore, eventId: string, holdId: string, seatKey: string, next: SeatAfterHold) {
  return {
    Update: {
      TableName: store.tables.inventory,
      Key: { pk: eventPk(eventId), sk: seatKey },
      // A sold seat keeps its holdId (the booking that bought it); a released one forgets it.
      UpdateExpression: next === 'SOLD' ? 'SET #status = :next, version = version + :one REMOVE heldUntil' : 'SET #status = :next, version = version + :one REMOVE holdId, heldUntil',
      ConditionExpression: '#status = :held AND holdId = :holdId',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':next': next, ':held': 'HELD', ':holdId': holdId, ':one': 1 },
    },
  };
}
