import { pickAdjacentSeats } from './best-available.js';
import type { SeatItem } from './booking-keys.js';

const seat = (row: string, number: number, status: SeatItem['status'] = 'AVAILABLE', heldUntil?: number): SeatItem => ({
  pk: 'EVENT#e',
  sk: `SEAT#A#${row}#${number}`,
  section: 'A',
  row,
  number,
  priceTier: 't',
  priceCents: 1,
  status,
  heldUntil,
  version: 0,
});

describe('pickAdjacentSeats', () => {
  it('takes the front row first, seats in a block of consecutive numbers', () => {
    const seats = [seat('2', 1), seat('2', 2), seat('10', 1), seat('10', 2), seat('1', 1), seat('1', 2, 'SOLD'), seat('1', 3)];
    expect(pickAdjacentSeats(seats, 2, 0, new Set())).toEqual(['SEAT#A#2#1', 'SEAT#A#2#2']);
  });

  it('avoids leaving a single empty seat when another block fits exactly', () => {
    const seats = [seat('1', 1), seat('1', 2), seat('1', 3), seat('2', 1), seat('2', 2)];
    expect(pickAdjacentSeats(seats, 2, 0, new Set())).toEqual(['SEAT#A#2#1', 'SEAT#A#2#2']);
  });

  it('counts an expired hold as free and skips excluded seats', () => {
    const seats = [seat('1', 1, 'HELD', 100), seat('1', 2, 'HELD', 5_000), seat('1', 3)];
    expect(pickAdjacentSeats(seats, 1, 1_000, new Set())).toEqual(['SEAT#A#1#1']);
    expect(pickAdjacentSeats(seats, 1, 1_000, new Set(['SEAT#A#1#1']))).toEqual(['SEAT#A#1#3']);
    expect(pickAdjacentSeats(seats, 2, 1_000, new Set())).toBeUndefined();
  });
});
