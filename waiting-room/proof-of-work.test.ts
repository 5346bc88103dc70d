import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { CHALLENGE_TTL_MS, leadingZeroBits, ProofOfWork, ProofOfWorkError, proofOfWorkKey, type ProofOfWorkProblem } from './proof-of-work.js';

const key = proofOfWorkKey('a-visitor-cookie-secret-of-some-length');

function solve(challenge: string, bits: number): string {
  for (let nonce = 0; ; nonce += 1) {
    if (leadingZeroBits(createHash('sha256').update(`${challenge}:${nonce}`).digest()) >= bits) return String(nonce);
  }
}

/** A solution that falls short: its hash has fewer than `bits` zero bits in front. */
function unsolved(challenge: string, bits: number): string {
  for (let nonce = 0; ; nonce += 1) {
    if (leadingZeroBits(createHash('sha256').update(`${challenge}:${nonce}`).digest()) < bits) return String(nonce);
  }
}

function problemOf(run: () => unknown): ProofOfWorkProblem | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ProofOfWorkError) return error.problem;
    throw error;
  }
  return undefined;
}

describe('proof of work at join', () => {
  let now = 1_000_000;
  const pow = new ProofOfWork(key, () => now);

  it('an honest solution passes, and verifying gives what the join script spends', () => {
    const issued = pow.issue('evt-1', 10);
    const verified = pow.verify('evt-1', { challenge: issued.challenge, solution: solve(issued.challenge, 10) });
    expect(verified).toEqual({ salt: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), bits: 10, expiresAtMs: now + CHALLENGE_TTL_MS });
    expect(pow.issue('evt-1', 10).challenge).not.toBe(issued.challenge);
  });

  it('a solution with too few zero bits is insufficient (400)', () => {
    const issued = pow.issue('evt-1', 12);
    const error = (() => {
      try {
        pow.verify('evt-1', { challenge: issued.challenge, solution: unsolved(issued.challenge, 12) });
      } catch (caught) {
        return caught as ProofOfWorkError;
      }
      return undefined;
    })();
    expect(error?.problem).toBe('insufficient');
    expect(error?.toProblem()).toMatchObject({ type: 'https://corral.dev/problems/proof-of-work-insufficient', status: 400 });
  });

  it('a challenge altered to ask for less work, or signed with another key, is forged', () => {
    const issued = pow.issue('evt-1', 20);
    const [payload, signature] = issued.challenge.split('.') as [string, string];
    const easier = Buffer.from(Buffer.from(payload, 'base64url').toString('utf8').replace('"b":20', '"b":0')).toString('base64url');
    expect(problemOf(() => pow.verify('evt-1', { challenge: `${easier}.${signature}`, solution: '1' }))).toBe('forged');
    const stranger = new ProofOfWork(proofOfWorkKey('another-secret-another-secret'), () => now).issue('evt-1', 0);
    expect(problemOf(() => pow.verify('evt-1', { challenge: stranger.challenge, solution: '1' }))).toBe('forged');
  });

  it('garbage is malformed', () => {
    expect(problemOf(() => pow.verify('evt-1', { challenge: 'no-dot-here', solution: '1' }))).toBe('malformed');
    expect(problemOf(() => pow.verify('evt-1', { challenge: 'a.b.c', solution: '1' }))).toBe('malformed');
  });

  it('a challenge for another event is refused as the wrong event', () => {
    const issued = pow.issue('evt-2', 4);
    expect(problemOf(() => pow.verify('evt-1', { challenge: issued.challenge, solution: solve(issued.challenge, 4) }))).toBe('wrong-event');
  });

  it('a challenge solved after its expiry is refused as expired', () => {
    const issued = pow.issue('evt-1', 4);
    const solution = solve(issued.challenge, 4);
    now += CHALLENGE_TTL_MS - 1;
    expect(problemOf(() => pow.verify('evt-1', { challenge: issued.challenge, solution }))).toBeUndefined();
    now += 1;
    expect(problemOf(() => pow.verify('evt-1', { challenge: issued.challenge, solution }))).toBe('expired');
  });

  it('difficulty outside 0-24 bits cannot be issued', () => {
    expect(() => pow.issue('evt-1', 25)).toThrow();
    expect(() => pow.issue('evt-1', -1)).toThrow();
  });

  it('counts leading zero bits across bytes', () => {
    expect(leadingZeroBits(Uint8Array.from([0, 0, 0x10, 0xff]))).toBe(19);
    expect(leadingZeroBits(Uint8Array.from([0x80]))).toBe(0);
    expect(leadingZeroBits(Uint8Array.from([0, 0]))).toBe(16);
  });
});
