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

  it('spreads concurrent pickers over the best non-overlapping placements, never leaving a lone seat', () => {
    // Row 1: seats 1-8 free; row 2: seats 1-3 free (a pair there would strand one seat).
    const seats = [...Array.from({ length: 8 }, (_, index) => seat('1', index + 1)), seat('2', 1), seat('2', 2), seat('2', 3)];
    const draws = [0, 0.26, 0.51, 0.76].map((value) => pickAdjacentSeats(seats, 2, 0, new Set(), { spread: 4, random: () => value }));
    expect(draws).toEqual([
      ['SEAT#A#1#1', 'SEAT#A#1#2'],
      ['SEAT#A#1#3', 'SEAT#A#1#4'],
      ['SEAT#A#1#5', 'SEAT#A#1#6'],
      ['SEAT#A#1#7', 'SEAT#A#1#8'],
    ]);
    // Four pickers, four disjoint placements: none waits on another's locks.
    expect(new Set(draws.flat()).size).toBe(8);
    // The draw stays among the best: with a spread of 2 nothing past seat 4 is offered.
    expect(pickAdjacentSeats(seats, 2, 0, new Set(), { spread: 2, random: () => 0.99 })).toEqual(['SEAT#A#1#3', 'SEAT#A#1#4']);
    // A block of 3 offers no pair without a lone seat: row 2 is only the last resort.
    const onlyRowTwo = seats.filter((candidate) => candidate.row === '2');
    expect(pickAdjacentSeats(onlyRowTwo, 2, 0, new Set(), { spread: 4, random: () => 0.9 })).toEqual(['SEAT#A#2#1', 'SEAT#A#2#2']);
  });

  it('uses a placement flush with the end of a block when tiling from the start would strand a seat', () => {
    // Seats 1-5 free, pairs: 1-2 leaves 3 free seats (fine), 3-4 leaves seat 5 alone (skipped),
    // 4-5 (flush with the end) leaves 1-3 (fine).
    const seats = Array.from({ length: 5 }, (_, index) => seat('1', index + 1));
    const offered = [0, 0.5, 0.99].map((value) => pickAdjacentSeats(seats, 2, 0, new Set(), { spread: 4, random: () => value }));
    expect(offered).toEqual([
      ['SEAT#A#1#1', 'SEAT#A#1#2'],
      ['SEAT#A#1#4', 'SEAT#A#1#5'],
      ['SEAT#A#1#4', 'SEAT#A#1#5'],
    ]);
  });
});
