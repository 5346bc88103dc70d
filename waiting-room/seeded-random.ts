// A small seeded PRNG and an unbiased Fisher–Yates shuffle: the prequeue order must be uniform, and
// tests must be able to replay it from a seed.
import { createHash, randomBytes } from 'node:crypto';

export interface RandomSource {
  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number;
}

/** sfc32 seeded from the SHA-256 of the seed, so any string or number gives a well-mixed state. */
export function createSeededRandom(seed: string | number): RandomSource {
  const digest = createHash('sha256').update(String(seed)).digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  const source: RandomSource = {
    nextUint32() {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      return t >>> 0;
    },
  };
  // Discard the first outputs: sfc32 mixes its state over its first few rounds.
  for (let round = 0; round < 12; round += 1) source.nextUint32();
  return source;
}

export function randomSeed(): string {
  return randomBytes(16).toString('hex');
}

/** Uniform integer in [0, bound) by rejection sampling, so small bounds carry no modulo bias. */
export function randomBelow(random: RandomSource, bound: number): number {
  if (!Number.isInteger(bound) || bound <= 0 || bound > 2 ** 32) throw new RangeError(`bad bound ${bound}`);
  const limit = 2 ** 32 - (2 ** 32 % bound);
  for (;;) {
    const value = random.nextUint32();
    if (value < limit) return value % bound;
  }
}

/** Fisher–Yates (Durstenfeld): every permutation equally likely given a uniform source. */
export function shuffleInPlace<T>(items: T[], random: RandomSource): T[] {
  for (let index = items.length - 1; index > 0; index -= 1) {
    const swapWith = randomBelow(random, index + 1);
    const current = items[index] as T;
    items[index] = items[swapWith] as T;
    items[swapWith] = current;
  }
  return items;
}
