/** Summary statistics over samples (latencies in ms, counts). Nearest-rank percentiles. */

export interface Summary {
  count: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((s, v) => s + v, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.length > 0 ? total / sorted.length : Number.NaN,
    max: sorted.length > 0 ? (sorted[sorted.length - 1] ?? Number.NaN) : Number.NaN,
  };
}

/** `a / b` for a report: NaN when either side is missing so it prints as a dash, never as Infinity. */
export function ratio(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) {
    return Number.NaN;
  }
  return a / b;
}

export function median(samples: readonly number[]): number {
  return percentile(
    [...samples].sort((a, b) => a - b),
    50,
  );
}

/**
 * Added latency as a multiple of the reference's: NaN unless the reference added something
 * (a reference that measured 0 ms or less over the mock, at autocannon's 1 ms resolution, is
 * no yardstick; a negative ratio would read as a win).
 */
export function addedRatio(own: number | undefined, reference: number | undefined): number {
  if (reference === undefined || !(reference > 0)) return Number.NaN;
  return ratio(own, reference);
}
