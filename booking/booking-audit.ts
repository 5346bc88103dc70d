// Reads an event's seats, bookings and the holds they name straight from DynamoDB and reports every
// breach of the booking invariants (DESIGN §8.1): seats sold twice, seats held by dead holds, seats
// held twice, bookings whose seats are not theirs, and per-fan seat counters that disagree with the
// fan's holds and bookings (the per-fan limit's guard). The audit CLI and the race tests both use it.
// Every read fans out over the event's partitions: its seat partitions and every shard of holds,
// bookings and fan counters (decision 0010), all consistent.
import { BOOKING_SK_PREFIX, bookingShardPks, FAN_SK_PREFIX, fanShardPks, HOLD_SK_PREFIX, holdShardPks, SEAT_SK_PREFIX, type BookingItem, type HoldItem, type SeatItem } from './booking-keys.js';
import { queryPartitions, type BookingStore } from './booking-store.js';
import { querySeatPartitions } from './seat-partitions.js';

export interface AuditViolation {
  kind: 'seat-sold-twice' | 'seat-held-twice' | 'seat-held-by-dead-hold' | 'seat-sold-without-booking' | 'booking-without-seat' | 'hold-without-seat' | 'fan-seat-count-mismatch';
  /** The seat's sort key, or the fan counter's (`FAN#<fanId>`) for a counter mismatch. */
  seatKey: string;
  detail: string;
}

export interface AuditReport {
  eventId: string;
  seats: { total: number; available: number; held: number; sold: number };
  holds: number;
  bookings: number;
  violations: AuditViolation[];
}


interface FanCounterItem {
  sk: string;
  seatCount?: number;
}

/** Each fan's counter must equal the seats of its holds still HELD (a lapsed hold counts until its
 * expiry runs, as the reserve transaction counted it) plus the seats of its bookings. */
function fanCounterViolations(holds: readonly HoldItem[], bookings: readonly BookingItem[], counters: readonly FanCounterItem[]): AuditViolation[] {
  const expected = new Map<string, number>();
  const add = (fanId: string, seats: number) => expected.set(fanId, (expected.get(fanId) ?? 0) + seats);
  for (const hold of holds) if (hold.status === 'HELD') add(hold.fanId, hold.seatKeys.length);
  for (const booking of bookings) add(booking.fanId, booking.seatKeys.length);
  const actual = new Map(counters.map((counter) => [counter.sk.slice(FAN_SK_PREFIX.length), Number(counter.seatCount ?? 0)]));
  const violations: AuditViolation[] = [];
  for (const fanId of new Set([...expected.keys(), ...actual.keys()])) {
    const want = expected.get(fanId) ?? 0;
    const have = actual.get(fanId) ?? 0;
    if (want !== have) {
      violations.push({ kind: 'fan-seat-count-mismatch', seatKey: `${FAN_SK_PREFIX}${fanId}`, detail: `fan ${fanId} counter says ${have} seats; live holds and bookings have ${want}` });
    }
  }
  return violations;
}

export async function auditEvent(store: BookingStore, eventId: string): Promise<AuditReport> {
  const consistent = { consistentRead: true };
  // In this order, as a live sale moves: seats, then what sold or holds them, then the counters.
  const seats = await querySeatPartitions<SeatItem>(store, eventId, SEAT_SK_PREFIX, consistent);
  const bookings = await queryPartitions<BookingItem>(store, bookingShardPks(eventId), BOOKING_SK_PREFIX, consistent);
  const holdItems = await queryPartitions<HoldItem>(store, holdShardPks(eventId), HOLD_SK_PREFIX, consistent);
  const counters = await queryPartitions<FanCounterItem>(store, fanShardPks(eventId), FAN_SK_PREFIX, consistent);
  const heldSeats = seats.filter((seat) => seat.status === 'HELD');
  const holds = new Map(holdItems.map((hold) => [hold.holdId, hold]));
  const violations: AuditViolation[] = [];
  const now = store.clock();

  const bookingsBySeat = new Map<string, BookingItem[]>();
  for (const booking of bookings) {
    for (const sk of booking.seatKeys) bookingsBySeat.set(sk, [...(bookingsBySeat.get(sk) ?? []), booking]);
  }
  const seatsBySk = new Map(seats.map((seat) => [seat.sk, seat]));

  for (const [sk, owners] of bookingsBySeat) {
    if (owners.length > 1) violations.push({ kind: 'seat-sold-twice', seatKey: sk, detail: `bookings ${owners.map((b) => b.bookingId).join(', ')}` });
    for (const booking of owners) {
      const seat = seatsBySk.get(sk);
      if (seat?.status !== 'SOLD' || seat.holdId !== booking.holdId) {
        violations.push({ kind: 'booking-without-seat', seatKey: sk, detail: `booking ${booking.bookingId} but seat is ${seat?.status ?? 'missing'} (${seat?.holdId ?? 'no hold'})` });
      }
    }
  }
  for (const seat of seats) {
    if (seat.status === 'SOLD' && !(bookingsBySeat.get(seat.sk) ?? []).some((booking) => booking.holdId === seat.holdId)) {
      violations.push({ kind: 'seat-sold-without-booking', seatKey: seat.sk, detail: `sold to hold ${seat.holdId ?? 'none'}` });
    }
  }
  // A lapsed hold whose seats are still marked HELD is fine (the reserve condition reclaims them);
  // a hold that is missing, ended, or does not list the seat is not.
  for (const seat of heldSeats) {
    const hold = holds.get(seat.holdId!);
    if (!hold || hold.status !== 'HELD' || !hold.seatKeys.includes(seat.sk)) {
      violations.push({ kind: 'seat-held-by-dead-hold', seatKey: seat.sk, detail: `hold ${seat.holdId} is ${hold?.status ?? 'missing'}` });
    }
  }
  // Two live holds naming one seat means one of them was granted a seat it does not have.
  const liveHoldsBySeat = new Map<string, string[]>();
  for (const hold of holds.values()) {
    if (hold.status !== 'HELD' || hold.heldUntil <= now) continue;
    for (const sk of hold.seatKeys) {
      liveHoldsBySeat.set(sk, [...(liveHoldsBySeat.get(sk) ?? []), hold.holdId]);
      const seat = seatsBySk.get(sk);
      if (seat?.status !== 'HELD' || seat.holdId !== hold.holdId) {
        violations.push({ kind: 'hold-without-seat', seatKey: sk, detail: `live hold ${hold.holdId} but seat is ${seat?.status ?? 'missing'} (${seat?.holdId ?? 'no hold'})` });
      }
    }
  }
  for (const [sk, holdIds] of liveHoldsBySeat) {
    if (holdIds.length > 1) violations.push({ kind: 'seat-held-twice', seatKey: sk, detail: `holds ${holdIds.join(', ')}` });
  }

  violations.push(...fanCounterViolations(holdItems, bookings, counters));

  const count = (status: SeatItem['status']) => seats.filter((seat) => seat.status === status).length;
  return {
    eventId,
    seats: { total: seats.length, available: count('AVAILABLE'), held: count('HELD'), sold: count('SOLD') },
    holds: holds.size,
    bookings: bookings.length,
    violations,
  };
}
