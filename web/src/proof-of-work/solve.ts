// The fan's side of the join's proof of work: find a decimal nonce whose SHA-256(challenge ":" nonce)
// starts with `bits` zero bits (the server checks it with one hash, waiting-room/proof-of-work.ts).
// Runs in a Web Worker on the page and, unchanged, in Node for loadtests/proof-of-work-cost.ts, so it
// imports nothing and uses only crypto.subtle. Digests are asked for in batches: one promise per
// hash would spend most of the time waiting between hashes.

export interface SolveProgress {
  hashes: number;
  /** 2^bits: the average number of tries; any single solve may take more or fewer. */
  expectedHashes: number;
}

export interface Solved {
  solution: string;
  hashes: number;
}

export interface SolveOptions {
  batchSize?: number;
  onProgress?: (progress: SolveProgress) => void;
  signal?: AbortSignal;
}

export function leadingZeroBits(digest: Uint8Array): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte !== 0) return bits + Math.clz32(byte) - 24;
    bits += 8;
  }
  return bits;
}

export async function solveChallenge(challenge: string, bits: number, options: SolveOptions = {}): Promise<Solved> {
  const batchSize = options.batchSize ?? 256;
  const encoder = new TextEncoder();
  const expectedHashes = 2 ** bits;
  const prefix = `${challenge}:`;
  for (let start = 0; ; start += batchSize) {
    options.signal?.throwIfAborted();
    const digests = await Promise.all(
      Array.from({ length: batchSize }, (_, offset) => crypto.subtle.digest('SHA-256', encoder.encode(prefix + String(start + offset)))),
    );
    for (let offset = 0; offset < digests.length; offset += 1) {
      if (leadingZeroBits(new Uint8Array(digests[offset]!)) >= bits) return { solution: String(start + offset), hashes: start + offset + 1 };
    }
    options.onProgress?.({ hashes: start + batchSize, expectedHashes });
  }
}
