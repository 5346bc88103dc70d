import { describe, expect, it } from '@jest/globals';
import { hashedFanId, seedCommitment, shuffledOrder, verifyShuffle, type FairnessRecord } from './fairness-proof.js';

const eventId = 'fair-event';
const seed = '5f2c0e4a9b7d1e3f5a6b8c9d0e1f2a3b';

/** An honest open: fans in join order, numbered from 11 by the published rule. */
function honestRecord(fanCount: number): FairnessRecord {
  const joinOrder = Array.from({ length: fanCount }, (_, index) => hashedFanId(eventId, `v:fan-${index}`));
  const numbers = new Map(shuffledOrder(seed, joinOrder, (fan) => fan).map((fan, position) => [fan, 11 + position]));
  return { eventId, commitment: seedCommitment(seed), seed, firstNumber: 11, membership: joinOrder.map((fan) => ({ fan, number: numbers.get(fan)! })) };
}

describe('the provable pre-queue shuffle', () => {
  it('an honest shuffle verifies, whatever order the membership is listed in', () => {
    const record = honestRecord(200);
    expect(verifyShuffle(record)).toEqual({ ok: true, checked: 200, problems: [] });
    expect(verifyShuffle({ ...record, membership: [...record.membership].reverse() }).ok).toBe(true);
  });

  it('the order is the seed’s: another seed gives another order, the same seed the same one', () => {
    const fans = Array.from({ length: 50 }, (_, index) => hashedFanId(eventId, `v:${index}`));
    const order = shuffledOrder(seed, fans, (fan) => fan);
    expect(shuffledOrder(seed, [...fans].reverse(), (fan) => fan)).toEqual(order);
    expect(shuffledOrder(`${seed}x`, fans, (fan) => fan)).not.toEqual(order);
    expect(order).not.toEqual(fans);
  });

  it('a tampered seed fails: it no longer matches the commitment, and the numbers no longer follow it', () => {
    const verdict = verifyShuffle({ ...honestRecord(100), seed: 'a-seed-chosen-after-the-fact' });
    expect(verdict.ok).toBe(false);
    expect(verdict.problems[0]).toMatch(/does not match the commitment/);
    expect(verdict.problems.some((problem) => /the shuffle gives/.test(problem))).toBe(true);
  });

  it('a seed that matches a swapped commitment still fails on the numbers', () => {
    const other = 'another-seed';
    const verdict = verifyShuffle({ ...honestRecord(100), seed: other, commitment: seedCommitment(other) });
    expect(verdict.ok).toBe(false);
    expect(verdict.problems.every((problem) => !/commitment/.test(problem))).toBe(true);
  });

  it('a tampered membership fails: a fan left out, a fan slipped in, a number moved', () => {
    const record = honestRecord(100);
    const dropped = { ...record, membership: record.membership.filter((_, index) => index !== 40) };
    const injected = { ...record, membership: [...record.membership, { fan: hashedFanId(eventId, 'v:friend-of-the-organizer'), number: 11 }] };
    const [first, second] = [record.membership[3]!, record.membership[7]!];
    const swapped = {
      ...record,
      membership: record.membership.map((entry) => (entry === first ? { ...entry, number: second.number } : entry === second ? { ...entry, number: first.number } : entry)),
    };
    for (const tampered of [dropped, injected, swapped]) expect(verifyShuffle(tampered).ok).toBe(false);
    expect(verifyShuffle(swapped).problems).toHaveLength(2);
    expect(verifyShuffle({ ...record, membership: [...record.membership, record.membership[0]!] }).problems).toContain(`fan ${record.membership[0]!.fan} is listed twice`);
  });

  it('before the open there is nothing to verify yet, and says so', () => {
    expect(verifyShuffle({ eventId, commitment: seedCommitment(seed), seed: null, firstNumber: null, membership: [] })).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/pre-queue has not opened yet/)],
    });
  });
});
