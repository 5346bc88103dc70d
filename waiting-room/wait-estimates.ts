// Estimate vs actual for the last admitted fans. At join the page shows ahead ÷ the organizer's rate
// (it has not measured the pace yet); the join signs that figure into the queue token, and the fan's
// first pass claim (claim-pass.lua, same round trip) appends "number:joinedAtMs:estimate:admittedAtMs"
// to a capped list per event. Nothing is stored per waiting fan, and the join costs no extra call.
import { z } from 'zod';
import { queuePosition } from './queue-position.js';

/** How many admitted fans an event keeps (newest first): ~40 bytes each. */
export const WAIT_SAMPLE_LIMIT = 200;

/** What the claim passes to claim-pass.lua: when the fan joined and what the page told them then. */
export interface JoinEstimate {
  joinedAtMs: number;
  estimatedWaitSeconds: number;
}

export interface WaitSample {
  number: number;
  joinedAtMs: number;
  /** When the ticker's batch admitted the number (the claim time if the batch left the log). */
  admittedAtMs: number;
  estimatedWaitSeconds: number;
  actualWaitSeconds: number;
  /** actual − estimate: positive when the fan waited longer than promised. */
  errorSeconds: number;
}

export interface WaitEstimateSummary {
  count: number;
  /** Median of actual − estimate; null without samples. */
  medianErrorSeconds: number | null;
  medianAbsoluteErrorSeconds: number | null;
  /** Share of fans admitted no later than promised (+10 % or 5 s slack, whichever is larger). */
  onTimeShare: number | null;
}

/** The wait the page shows right after joining: the fans ahead at the set rate (null when unknown). */
export function estimateAtJoin(number: number, serving: number, admissionRatePerMinute: number | null): number | null {
  return queuePosition(number, serving, admissionRatePerMinute).estimatedWaitSeconds;
}

const sampleSchema = z.tuple([z.coerce.number().int().min(1), z.coerce.number().int().min(0), z.coerce.number().min(0), z.coerce.number().int().min(0)]);

/** One list entry as claim-pass.lua writes it; null for an entry that does not parse. */
export function parseWaitSample(entry: string): WaitSample | null {
  const parsed = sampleSchema.safeParse(entry.split(':'));
  if (!parsed.success) return null;
  const [number, joinedAtMs, estimatedWaitSeconds, admittedAtMs] = parsed.data;
  const actualWaitSeconds = Math.max(0, Math.round((admittedAtMs - joinedAtMs) / 1_000));
  return { number, joinedAtMs, admittedAtMs, estimatedWaitSeconds, actualWaitSeconds, errorSeconds: actualWaitSeconds - estimatedWaitSeconds };
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function summariseWaits(samples: readonly WaitSample[]): WaitEstimateSummary {
  if (samples.length === 0) return { count: 0, medianErrorSeconds: null, medianAbsoluteErrorSeconds: null, onTimeShare: null };
  const onTime = samples.filter((sample) => sample.errorSeconds <= Math.max(5, sample.estimatedWaitSeconds * 0.1)).length;
  return {
    count: samples.length,
    medianErrorSeconds: median(samples.map((sample) => sample.errorSeconds)),
    medianAbsoluteErrorSeconds: median(samples.map((sample) => Math.abs(sample.errorSeconds))),
    onTimeShare: onTime / samples.length,
  };
}
