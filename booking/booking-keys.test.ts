import { BOOKING_SHARDS, FAN_SHARDS, HOLD_SHARDS, inventoryKeys, SEAT_NUMBERS_PER_PARTITION, seatPartitionOf, seatSk } from './booking-keys.js';

describe('inventory key layout', () => {
  it('puts a seat in the partition of its row and block of 100 numbers, never the event', () => {
    const key = (row: string, number: number) => inventoryKeys.seat('e1', seatSk({ section: 'A', row, number })).pk;
    expect(key('1', 1)).toBe('EVENT#e1#SEATS#A#1#0');
    expect(key('1', SEAT_NUMBERS_PER_PARTITION)).toBe(key('1', 1));
    expect(key('1', SEAT_NUMBERS_PER_PARTITION + 1)).toBe('EVENT#e1#SEATS#A#1#1');
    expect(key('2', 1)).not.toBe(key('1', 1));
    expect(seatPartitionOf('SEAT#B#12#250')).toBe('B#12#2');
  });

  it('spreads holds, bookings and fan counters over their shards by id, each kind under its own keys', () => {
    const holdPks = new Set(Array.from({ length: 2_000 }, (_, index) => inventoryKeys.hold('e1', `h_hold${index}xxxxxxxx`).pk));
    const bookingPks = new Set(Array.from({ length: 2_000 }, (_, index) => inventoryKeys.booking('e1', `h_hold${index}xxxxxxxx`).pk));
    const fanPks = new Set(Array.from({ length: 2_000 }, (_, index) => inventoryKeys.fanSeats('e1', `fan-${index}`).pk));
    expect(holdPks.size).toBe(HOLD_SHARDS);
    expect(bookingPks.size).toBe(BOOKING_SHARDS);
    expect(fanPks.size).toBe(FAN_SHARDS);
    for (const pks of [holdPks, bookingPks, fanPks]) expect([...pks].every((pk) => pk.startsWith('EVENT#e1#') && pk !== 'EVENT#e1')).toBe(true);
    expect(new Set([...holdPks, ...bookingPks, ...fanPks]).size).toBe(HOLD_SHARDS + BOOKING_SHARDS + FAN_SHARDS);
    // The same id always lands in the same place (a replay finds its hold).
    expect(inventoryKeys.hold('e1', 'h_same1234567')).toEqual(inventoryKeys.hold('e1', 'h_same1234567'));
  });
});
