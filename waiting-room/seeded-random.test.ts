import { describe, expect, it } from '@jest/globals';
import { createSeededRandom, randomBelow, shuffleInPlace } from './seeded-random.js';

function permutationKey(items: readonly number[]): string {
  return items.join(',');
}

describe('seeded random and Fisher–Yates shuffle', () => {
  it('the same seed replays the same sequence; another seed does not', () => {
    const first = createSeededRandom('seed-a');
    const again = createSeededRandom('seed-a');
    const other = createSeededRandom('seed-b');
    const sequence = Array.from({ length: 8 }, () => first.nextUint32());
    expect(Array.from({ length: 8 }, () => again.nextUint32())).toEqual(sequence);
    expect(Array.from({ length: 8 }, () => other.nextUint32())).not.toEqual(sequence);
  });

  it('randomBelow stays in range and hits every value', () => {
    const random = createSeededRandom('range');
    const seen = new Set<number>();
    for (let draw = 0; draw < 5_000; draw += 1) {
      const value = randomBelow(random, 7);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(7);
      seen.add(value);
    }
    expect(seen.size).toBe(7);
    expect(() => randomBelow(random, 0)).toThrow(RangeError);
  });

  it('all 24 permutations of 4 items are equally likely (chi-square, fixed seed)', () => {
    const random = createSeededRandom('permutations');
    const counts = new Map<string, number>();
    const shuffles = 48_000;
    for (let run = 0; run < shuffles; run += 1) {
      const key = permutationKey(shuffleInPlace([0, 1, 2, 3], random));
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    const expected = shuffles / 24;
    const chiSquare = [...counts.values()].reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
    // 23 degrees of freedom: 49.73 is the 0.999 quantile.
    expect(chiSquare).toBeLessThan(49.73);
  });

  it('the naive "swap with any index" shuffle is caught by the same test', () => {
    // Guards the test itself: a known-biased shuffle must fail the bound above.
    const random = createSeededRandom('naive');
    const counts = new Map<string, number>();
    const shuffles = 48_000;
    for (let run = 0; run < shuffles; run += 1) {
      const items = [0, 1, 2, 3];
      for (let index = 0; index < items.length; index += 1) {
        const swapWith = randomBelow(random, items.length);
        [items[index], items[swapWith]] = [items[swapWith] as number, items[index] as number];
      }
      const key = permutationKey(items);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const expected = shuffles / 24;
    const chiSquare = [...counts.values()].reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeGreaterThan(49.73);
  });
});
