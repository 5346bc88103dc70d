// The booking transactions, built and not sent: reserve, confirm and release each return the exact
// TransactItems their step sends, so the capacity model (scripts/capacity-cli.ts) meters the very
// items the product writes. Conditions carry the invariants: a seat moves only from free (or a lapsed
// hold) to HELD, and only from HELD by this hold to SOLD or back; the fan counter moves with the hold.
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { BookingItem, HoldItem } from './booking-keys.js';
import type { BookingStore } from './booking-store.js';
import { BOOKING_EVENT_TYPES } from './booking-events.js';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** What a builder needs: table names and the key layout (no client: builders send nothing). */
export type TransactionScope = Pick<BookingStore, 'tables' | 'keys'>;

export type SeatAfterHold = 'SOLD' | 'AVAILABLE';

/** The one item that moves a seat out of a hold: only while the seat is still HELD by that hold, so
 * a confirm or a release can never touch a seat another hold has since taken. */
export function heldSeatUpdate(store: TransactionScope, eventId: string, holdId: string, seatKey: string, next: SeatAfterHold): TransactItem {
  return {
    Update: {
      TableName: store.tables.inventory,
      Key: store.keys.seat(eventId, seatKey),
      // A sold seat keeps its holdId (the booking that bought it); a released one forgets it.
      UpdateExpression: next === 'SOLD' ? 'SET #status = :next, version = version + :one REMOVE heldUntil' : 'SET #status = :next, version = version + :one REMOVE holdId, heldUntil',
      ConditionExpression: '#status = :held AND holdId = :holdId',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':next': next, ':held': 'HELD', ':holdId': holdId, ':one': 1 },
    },
  };
}

export interface ReserveInput {
  eventId: string;
  holdId: string;
  fanId: string;
  requestedAt: number;
  heldUntil: number;
  /** The seats with the version the caller saw; the update applies only to that version. */
  seats: ReadonlyArray<{ sk: string; version: number; priceCents: number }>;
  /** The event's per-fan cap frozen in the job, if any. */
  maxSeatsPerFan?: number;
}

export interface ReserveTransaction {
  hold: HoldItem;
  items: TransactItem[];
  /** Positions in `items`: seat i is at i; then the hold, the outbox item and the fan counter. */
  holdIndex: number;
  fanCounterIndex: number;
}

/**
 * Conditional seat updates (free or lapsed, and still at the version the caller saw: then the seat
 * map can be written from what was sent, with no read back), the hold's conditional put, its outbox
 * event and the fan's counter raised within the cap. A failed seat or hold condition returns that
 * item (ALL_OLD), so the caller learns the seat's state or finds its own earlier hold without a read.
 */
export function reserveTransaction(store: TransactionScope, input: ReserveInput): ReserveTransaction {
  const seatKeys = input.seats.map((seat) => seat.sk).sort();
  const bySk = new Map(input.seats.map((seat) => [seat.sk, seat]));
  const hold: HoldItem = {
    ...store.keys.hold(input.eventId, input.holdId),
    holdId: input.holdId,
    eventId: input.eventId,
    fanId: input.fanId,
    seatKeys,
    amountCents: input.seats.reduce((sum, seat) => sum + seat.priceCents, 0),
    status: 'HELD',
    heldUntil: input.heldUntil,
    createdAt: input.requestedAt,
  };
  const seatUpdates: TransactItem[] = seatKeys.map((sk) => ({
    Update: {
      TableName: store.tables.inventory,
      Key: store.keys.seat(input.eventId, sk),
      UpdateExpression: 'SET #status = :held, holdId = :holdId, heldUntil = :heldUntil, version = version + :one',
      ConditionExpression: 'version = :version AND (#status = :available OR (#status = :held AND heldUntil < :now))',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':held': 'HELD',
        ':available': 'AVAILABLE',
        ':holdId': input.holdId,
        ':heldUntil': input.heldUntil,
        ':now': input.requestedAt,
        ':one': 1,
        ':version': bySk.get(sk)!.version,
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  }));
  const seatCount = seatKeys.length;
  const limited = input.maxSeatsPerFan !== undefined;
  const items: TransactItem[] = [
    ...seatUpdates,
    { Put: { TableName: store.tables.inventory, Item: hold, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
    {
      Put: {
        TableName: store.tables.outbox,
        Item: { id: input.holdId, type: BOOKING_EVENT_TYPES.holdCreated, eventId: input.eventId, holdId: input.holdId, fanId: input.fanId, seatKeys, heldUntil: input.heldUntil, at: input.requestedAt },
      },
    },
    // The fan's seat counter moves with the hold, so the per-fan cap holds under any concurrency.
    {
      Update: {
        TableName: store.tables.inventory,
        Key: store.keys.fanSeats(input.eventId, input.fanId),
        UpdateExpression: 'ADD seatCount :seats',
        ...(limited ? { ConditionExpression: 'attribute_not_exists(seatCount) OR seatCount <= :room' } : {}),
        ExpressionAttributeValues: { ':seats': seatCount, ...(limited ? { ':room': input.maxSeatsPerFan! - seatCount } : {}) },
      },
    },
  ];
  return { hold, items, holdIndex: seatCount, fanCounterIndex: seatCount + 2 };
}

/** HELD (by this hold, unexpired) -> SOLD, the hold CONFIRMED, the booking and its outbox event. */
export function confirmTransaction(store: TransactionScope, hold: HoldItem, paymentId: string, now: number): { booking: BookingItem; items: TransactItem[] } {
  const booking: BookingItem = {
    ...store.keys.booking(hold.eventId, hold.holdId),
    bookingId: hold.holdId,
    holdId: hold.holdId,
    eventId: hold.eventId,
    fanId: hold.fanId,
    seatKeys: hold.seatKeys,
    amountCents: hold.amountCents,
    paymentId,
    confirmedAt: now,
  };
  const items: TransactItem[] = [
    ...hold.seatKeys.map((sk) => heldSeatUpdate(store, hold.eventId, hold.holdId, sk, 'SOLD')),
    {
      Update: {
        TableName: store.tables.inventory,
        Key: store.keys.hold(hold.eventId, hold.holdId),
        UpdateExpression: 'SET #status = :confirmed, paymentId = :paymentId, endedAt = :now',
        ConditionExpression: '#status = :held AND heldUntil > :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':confirmed': 'CONFIRMED', ':held': 'HELD', ':paymentId': paymentId, ':now': now },
      },
    },
    { Put: { TableName: store.tables.inventory, Item: booking, ConditionExpression: 'attribute_not_exists(pk)' } },
    {
      Put: {
        TableName: store.tables.outbox,
        Item: { id: `${hold.holdId}:confirmed`, type: BOOKING_EVENT_TYPES.bookingConfirmed, eventId: hold.eventId, holdId: hold.holdId, fanId: hold.fanId, seatKeys: hold.seatKeys, amountCents: hold.amountCents, at: now },
      },
    },
  ];
  return { booking, items };
}

export type ReleaseReason = 'expired' | 'released';

/** The hold ends without a sale: its seats still held by it go back, the hold is marked, its outbox
 * event written, and every seat it counted is given back to the fan's counter. */
export function releaseTransaction(store: TransactionScope, hold: HoldItem, stillOurs: readonly string[], reason: ReleaseReason, now: number): TransactItem[] {
  return [
    ...stillOurs.map((sk) => heldSeatUpdate(store, hold.eventId, hold.holdId, sk, 'AVAILABLE')),
    {
      Update: {
        TableName: store.tables.inventory,
        Key: store.keys.hold(hold.eventId, hold.holdId),
        UpdateExpression: 'SET #status = :next, endedAt = :now',
        ConditionExpression: '#status = :held',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':next': reason === 'expired' ? 'EXPIRED' : 'RELEASED', ':held': 'HELD', ':now': now },
      },
    },
    {
      Put: {
        TableName: store.tables.outbox,
        Item: {
          id: `${hold.holdId}:${reason}`,
          type: reason === 'expired' ? BOOKING_EVENT_TYPES.holdExpired : BOOKING_EVENT_TYPES.holdReleased,
          eventId: hold.eventId,
          holdId: hold.holdId,
          fanId: hold.fanId,
          seatKeys: [...stillOurs],
          at: now,
        },
      },
    },
    // The fan's counter took every seat of the hold when it was placed; all of them go back.
    {
      Update: {
        TableName: store.tables.inventory,
        Key: store.keys.fanSeats(hold.eventId, hold.fanId),
        UpdateExpression: 'ADD seatCount :seats',
        ExpressionAttributeValues: { ':seats': -hold.seatKeys.length },
      },
    },
  ];
}
