// The page's measured admission pace and the wait range it shows (web/src/admission-pace.ts).
import { estimateWait, measuredRatePerMinute, recordServing, WINDOW_MS, type PaceSample } from './admission-pace.js';

/** Observations every `stepMs` from t = 0, serving moving by `perStep(i)` each time. */
function watch(steps: number, stepMs: number, perStep: (index: number) => number): PaceSample[] {
  let samples: PaceSample[] = [];
  let serving = 100;
  for (let index = 0; index <= steps; index += 1) {
    samples = recordServing(samples, index * stepMs, serving);
    serving += perStep(index);
  }
  return samples;
}

test('before 10 s of watching, the wait is the set rate’s, with no range', () => {
  const samples = watch(4, 1_000, () => 10);
  expect(measuredRatePerMinute(samples)).toBeNull();
  expect(estimateWait(samples, 600, 300)).toEqual({ seconds: 120, lowSeconds: 120, highSeconds: 120, basis: 'set' });
  expect(estimateWait(samples, 600, 0)).toBeNull();
});

test('the measured pace wins over a set rate the line does not reach (a full shop lets fewer in)', () => {
  // The organizer set 6,000/min, but the line moves 2 per second (120/min).
  const samples = watch(60, 1_000, () => 2);
  expect(measuredRatePerMinute(samples)).toBeCloseTo(120, 5);
  const estimate = estimateWait(samples, 240, 6_000)!;
  expect(estimate.basis).toBe('measured');
  expect(estimate.seconds).toBeCloseTo(120, 5);
  expect(estimate.lowSeconds).toBeCloseTo(120, 5);
  expect(estimate.highSeconds).toBeCloseTo(120, 5);
});

test('an uneven pace gives a range from the fastest and the slowest 15-second slices', () => {
  // 30 s at 4/s, then 30 s at 1/s: 150/min over the minute, slices of 240/min and 60/min.
  const samples = watch(60, 1_000, (index) => (index < 30 ? 4 : 1));
  const estimate = estimateWait(samples, 300, 1_000)!;
  expect(estimate.seconds).toBeCloseTo(120, 5);
  expect(estimate.lowSeconds).toBeCloseTo(75, 5);
  expect(estimate.highSeconds).toBeCloseTo(300, 5);
});

test('a slice where nobody was let in leaves the top of the range open; a stopped line has no estimate', () => {
  const pausedThenMoving = watch(60, 1_000, (index) => (index < 20 ? 0 : 3));
  expect(estimateWait(pausedThenMoving, 100, 600)!.highSeconds).toBeNull();
  const stopped = watch(30, 1_000, () => 0);
  expect(estimateWait(stopped, 100, 600)).toBeNull();
});

test('old observations leave the window, and a number going back starts the history over', () => {
  const long = watch(300, 1_000, () => 1);
  expect(long[0]!.atMs).toBeGreaterThanOrEqual(300_000 - WINDOW_MS);
  const reset = recordServing(long, 301_000, 5);
  expect(reset).toEqual([{ atMs: 301_000, serving: 5 }]);
  expect(estimateWait([], 0, 0)).toEqual({ seconds: 0, lowSeconds: 0, highSeconds: 0, basis: 'measured' });
});
