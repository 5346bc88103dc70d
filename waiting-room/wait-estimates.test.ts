import { describe, expect, it } from '@jest/globals';
import { estimateAtJoin, parseWaitSample, summariseWaits, type WaitSample } from './wait-estimates.js';

const sample = (estimatedWaitSeconds: number, actualWaitSeconds: number): WaitSample => ({
  number: 1,
  joinedAtMs: 0,
  admittedAtMs: actualWaitSeconds * 1_000,
  estimatedWaitSeconds,
  actualWaitSeconds,
  errorSeconds: actualWaitSeconds - estimatedWaitSeconds,
});

describe('estimate vs actual wait', () => {
  it('the estimate at join is the fans ahead at the set rate, as the page first shows it', () => {
    expect(estimateAtJoin(101, 1, 600)).toBe(10);
    expect(estimateAtJoin(5, 10, 600)).toBe(0);
    expect(estimateAtJoin(50, 0, 0)).toBeNull();
    expect(estimateAtJoin(50, 0, null)).toBeNull();
  });

  it('a list entry gives the actual wait from join to admission and its error', () => {
    expect(parseWaitSample('42:1000:30:61000')).toEqual({ number: 42, joinedAtMs: 1_000, admittedAtMs: 61_000, estimatedWaitSeconds: 30, actualWaitSeconds: 60, errorSeconds: 30 });
    expect(parseWaitSample('7:5000:20:4000')).toMatchObject({ actualWaitSeconds: 0, errorSeconds: -20 });
    expect(parseWaitSample('garbage')).toBeNull();
    expect(parseWaitSample('1:x:2:3')).toBeNull();
  });

  it('the summary gives the median error, the median miss and the share let in on time', () => {
    expect(summariseWaits([])).toEqual({ count: 0, medianErrorSeconds: null, medianAbsoluteErrorSeconds: null, onTimeShare: null });
    const summary = summariseWaits([sample(60, 50), sample(60, 66), sample(60, 90), sample(100, 100)]);
    expect(summary.count).toBe(4);
    expect(summary.medianErrorSeconds).toBe(3); // errors -10, 0, 6, 30
    expect(summary.medianAbsoluteErrorSeconds).toBe(8); // 0, 6, 10, 30
    expect(summary.onTimeShare).toBe(0.75); // 6 s late on 60 s is within 10 %; 30 s is not
  });
});
