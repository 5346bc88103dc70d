// The browser's solver (web/src/proof-of-work/solve.ts): what it returns is a real solution.
import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { leadingZeroBits, solveChallenge } from './solve.js';

describe('the page solver for the join challenge', () => {
  it('finds a nonce whose SHA-256(challenge:nonce) has the asked leading zero bits, reporting progress', async () => {
    const progress: number[] = [];
    const solved = await solveChallenge('some.challenge', 10, { batchSize: 64, onProgress: (step) => progress.push(step.hashes) });
    const digest = createHash('sha256').update(`some.challenge:${solved.solution}`).digest();
    expect(leadingZeroBits(digest)).toBeGreaterThanOrEqual(10);
    expect(solved.hashes).toBe(Number(solved.solution) + 1);
    // The first nonce that works: no smaller one does.
    for (let nonce = 0; nonce < Number(solved.solution); nonce += 1) {
      expect(leadingZeroBits(createHash('sha256').update(`some.challenge:${nonce}`).digest())).toBeLessThan(10);
    }
    expect(progress.every((hashes, index) => hashes === (index + 1) * 64)).toBe(true);
  });

  it('zero bits is solved by the first nonce', async () => {
    expect(await solveChallenge('c', 0)).toEqual({ solution: '0', hashes: 1 });
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(solveChallenge('c', 30, { signal: controller.signal })).rejects.toThrow();
  });
});
