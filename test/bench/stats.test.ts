import { describe, expect, it } from 'vitest';
import { addedRatio, median, percentile, ratio, summarize } from '../../bench/lib/stats.ts';

describe('bench stats', () => {
  it('takes nearest-rank percentiles of sorted samples', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3], 50)).toBe(2);
  });

  it('gives NaN, not a made-up number, for no samples', () => {
    expect(percentile([], 50)).toBeNaN();
    const empty = summarize([]);
    expect(empty.count).toBe(0);
    expect(empty.p50).toBeNaN();
    expect(empty.mean).toBeNaN();
    expect(empty.max).toBeNaN();
  });

  it('summarizes unsorted samples without reordering them', () => {
    const samples = [30, 10, 20, 40];
    const s = summarize(samples);
    expect(s).toEqual({ count: 4, p50: 20, p99: 40, mean: 25, max: 40 });
    expect(samples).toEqual([30, 10, 20, 40]);
    expect(median([5, 1, 3])).toBe(3);
  });

  it('prints a missing or zero reference as NaN rather than Infinity', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(undefined, 2)).toBeNaN();
    expect(ratio(2, undefined)).toBeNaN();
    expect(ratio(Number.NaN, 2)).toBeNaN();
    expect(ratio(Number.POSITIVE_INFINITY, 2)).toBeNaN();
  });
});

describe('added latency against the reference', () => {
  it('is a plain ratio when the reference added something', () => {
    expect(addedRatio(3, 1.5)).toBe(2);
    expect(addedRatio(0, 2)).toBe(0);
  });

  it('is NaN when the reference added nothing or less than nothing, so no negative ratio reads as a win', () => {
    expect(addedRatio(41, -1)).toBeNaN();
    expect(addedRatio(4, 0)).toBeNaN();
    expect(addedRatio(4, undefined)).toBeNaN();
    expect(addedRatio(undefined, 2)).toBeNaN();
  });
});
