// Shared by the benchmarks: the nearest-rank percentile of sorted samples (NaN without samples).
export function percentile(sorted: readonly number[], fraction: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}
