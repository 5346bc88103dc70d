// The soak's memory sampler: every role process's resident set and its anonymous part (from /proc,
// by pid; RSS is a saw-tooth, as V8 hands pages back after a major GC), its V8 heap in use
// (prom-client's default metrics on its /metrics) and Redis' `INFO memory`, one sample per interval;
// and the drift of each series after the warm-up: the mean of its last minute against the mean of
// its first minute after the warm-up.
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

export interface MemorySample {
  atSeconds: number;
  /** role name -> resident set in MB (null once the process is gone). */
  rssMb: Record<string, number | null>;
  /** role name -> RssAnon in MB: heap, native buffers, stacks; no mapped files. */
  anonMb: Record<string, number | null>;
  /** role name -> V8 heap in use in MB (nodejs_heap_size_used_bytes), null when /metrics did not answer. */
  heapUsedMb: Record<string, number | null>;
  redisUsedMb: number;
  redisRssMb: number;
  redisKeys: number;
}

export interface SeriesDrift {
  firstMinuteMeanMb: number;
  lastMinuteMeanMb: number;
  /** (last − first) / first, in percent, rounded to 0.1. */
  driftPercent: number;
  minMb: number;
  maxMb: number;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/** A /proc/<pid>/status field (VmRSS, VmSwap) of a live process, in MB; null when it has exited. */
export function procStatusMb(pid: number, field: 'VmRSS' | 'RssAnon'): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kilobytes = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
    return kilobytes === undefined ? null : round1(Number(kilobytes) / 1024);
  } catch {
    return null;
  }
}

async function heapUsedMb(roleUrl: string): Promise<number | null> {
  const text = await fetch(`${roleUrl}/metrics`, { signal: AbortSignal.timeout(5_000) }).then((response) => response.text(), () => '');
  const bytes = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\d+(?:\.\d+)?(?:e\+\d+)?)/m.exec(text)?.[1];
  return bytes === undefined ? null : round1(Number(bytes) / 1_048_576);
}

function infoField(info: string, field: string): number {
  return Number(new RegExp(`^${field}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
}

export async function sampleMemory(atSeconds: number, roles: Record<string, { pid: number; url: string }>, redis: Redis): Promise<MemorySample> {
  const rssMb: Record<string, number | null> = {};
  const anonMb: Record<string, number | null> = {};
  const heap: Record<string, number | null> = {};
  for (const [role, { pid, url }] of Object.entries(roles)) {
    rssMb[role] = procStatusMb(pid, 'VmRSS');
    anonMb[role] = procStatusMb(pid, 'RssAnon');
    heap[role] = await heapUsedMb(url);
  }
  const info = await redis.info('memory');
  return {
    atSeconds,
    rssMb,
    anonMb,
    heapUsedMb: heap,
    redisUsedMb: round1(infoField(info, 'used_memory') / 1_048_576),
    redisRssMb: round1(infoField(info, 'used_memory_rss') / 1_048_576),
    redisKeys: await redis.dbsize(),
  };
}

/** Drift of one series after `warmUpSeconds`, comparing the means of its first and last `windowSeconds`. */
export function driftOf(samples: readonly MemorySample[], pick: (sample: MemorySample) => number | null, warmUpSeconds: number, windowSeconds = 60): SeriesDrift | null {
  const steady = samples.filter((sample) => sample.atSeconds >= warmUpSeconds).map((sample) => ({ at: sample.atSeconds, mb: pick(sample) }));
  const values = steady.filter((point): point is { at: number; mb: number } => point.mb !== null && Number.isFinite(point.mb));
  if (values.length < 2) return null;
  const start = values[0]!.at;
  const end = values[values.length - 1]!.at;
  const mean = (points: readonly { mb: number }[]) => points.reduce((sum, point) => sum + point.mb, 0) / points.length;
  const first = mean(values.filter((point) => point.at < start + windowSeconds));
  const last = mean(values.filter((point) => point.at > end - windowSeconds));
  return {
    firstMinuteMeanMb: round1(first),
    lastMinuteMeanMb: round1(last),
    driftPercent: round1(((last - first) / first) * 100),
    minMb: Math.min(...values.map((point) => point.mb)),
    maxMb: Math.max(...values.map((point) => point.mb)),
  };
}
