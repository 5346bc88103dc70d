// The pace fans are really let in at, measured on the page from the `serving` numbers it hears, and
// the wait it gives with a range. The organizer's rate is a ceiling: when the shop is full (its
// active-shopper ceiling) or the organizer pauses, the line moves slower than the rate says, and an
// estimate from the rate alone would promise too much. Pure functions: the page keeps the samples.

export interface PaceSample {
  atMs: number;
  serving: number;
}

export interface WaitEstimate {
  seconds: number;
  /** The range from the fastest and slowest 15-second slices of the window; null high = unbounded. */
  lowSeconds: number;
  highSeconds: number | null;
  /** measured: the last WINDOW_MS of this page's own observations; set: the organizer's rate (no history yet). */
  basis: 'measured' | 'set';
}

export const WINDOW_MS = 120_000;
const SLICE_MS = 15_000;
const MIN_SPAN_MS = 10_000;

/** Adds an observation and drops those older than the window; a number going back (a reset) starts over. */
export function recordServing(samples: readonly PaceSample[], atMs: number, serving: number): PaceSample[] {
  const last = samples.at(-1);
  if (last !== undefined && (serving < last.serving || atMs < last.atMs)) return [{ atMs, serving }];
  if (last !== undefined && last.serving === serving && atMs - last.atMs < 1_000) return [...samples];
  return [...samples, { atMs, serving }].filter((sample) => sample.atMs >= atMs - WINDOW_MS);
}

function ratePerMinute(from: PaceSample, to: PaceSample): number {
  return ((to.serving - from.serving) / (to.atMs - from.atMs)) * 60_000;
}

/** Fans let in per minute over the window; null until it spans at least 10 s. */
export function measuredRatePerMinute(samples: readonly PaceSample[]): number | null {
  const first = samples[0];
  const last = samples.at(-1);
  if (first === undefined || last === undefined || last.atMs - first.atMs < MIN_SPAN_MS) return null;
  return ratePerMinute(first, last);
}

/** The rate of each whole 15-second slice of the window, oldest first. */
function sliceRates(samples: readonly PaceSample[]): number[] {
  const rates: number[] = [];
  let start = samples[0];
  for (const sample of samples) {
    if (start === undefined) break;
    if (sample.atMs - start.atMs >= SLICE_MS) {
      rates.push(ratePerMinute(start, sample));
      start = sample;
    }
  }
  return rates;
}

/** The wait for `ahead` fans: measured when the page has watched the line for 10 s, else at the set rate. */
export function estimateWait(samples: readonly PaceSample[], ahead: number, setRatePerMinute: number): WaitEstimate | null {
  if (ahead <= 0) return { seconds: 0, lowSeconds: 0, highSeconds: 0, basis: 'measured' };
  const measured = measuredRatePerMinute(samples);
  if (measured === null) {
    if (setRatePerMinute <= 0) return null;
    const seconds = (ahead / setRatePerMinute) * 60;
    return { seconds, lowSeconds: seconds, highSeconds: seconds, basis: 'set' };
  }
  if (measured <= 0) return null;
  const seconds = (ahead / measured) * 60;
  const slices = sliceRates(samples);
  if (slices.length < 2) return { seconds, lowSeconds: seconds, highSeconds: seconds, basis: 'measured' };
  const fastest = Math.max(measured, ...slices);
  const slowest = Math.min(measured, ...slices);
  return { seconds, lowSeconds: (ahead / fastest) * 60, highSeconds: slowest > 0 ? (ahead / slowest) * 60 : null, basis: 'measured' };
}
