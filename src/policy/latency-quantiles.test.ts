import { describe, expect, it } from 'vitest';
import { createFakeClock } from './fake-clock.ts';
import { createQuantileTracker } from './latency-quantiles.ts';

describe('quantile tracker', () => {
  it('answers nothing until it has minSamples live samples', () => {
    const tracker = createQuantileTracker({ minSamples: 20, clock: createFakeClock() });
    for (let i = 1; i <= 19; i++) tracker.record(i * 10);
    expect(tracker.quantile(0.95)).toBeUndefined();
    tracker.record(200);
    expect(tracker.quantile(0.95)).toBe(190);
  });

  it('gives the nearest-rank p95 and p50 of 100 samples, whatever their order', () => {
    const tracker = createQuantileTracker({ clock: createFakeClock() });
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    // A fixed shuffle: the answer must not depend on arrival order.
    for (let i = 0; i < 100; i++) tracker.record(values[(i * 37) % 100] as number);
    expect(tracker.quantile(0.95)).toBe(95);
    expect(tracker.quantile(0.5)).toBe(50);
    expect(tracker.quantile(1)).toBe(100);
  });

  it('sees a slow tail: 10% of first tokens at 3 s put the p95 at 3 s', () => {
    const tracker = createQuantileTracker({ clock: createFakeClock() });
    for (let i = 0; i < 100; i++) tracker.record(i % 10 === 0 ? 3000 : 200);
    expect(tracker.quantile(0.95)).toBe(3000);
    expect(tracker.quantile(0.9)).toBe(200);
  });

  it('keeps only the latest capacity samples', () => {
    const tracker = createQuantileTracker({ capacity: 50, minSamples: 1, clock: createFakeClock() });
    for (let i = 0; i < 50; i++) tracker.record(5000);
    for (let i = 0; i < 50; i++) tracker.record(100);
    expect(tracker.count()).toBe(50);
    expect(tracker.quantile(1)).toBe(100);
  });

  it('forgets samples older than maxAgeMs, so a recovered target is judged on its present', () => {
    const clock = createFakeClock();
    const tracker = createQuantileTracker({ maxAgeMs: 60_000, minSamples: 5, clock });
    for (let i = 0; i < 10; i++) tracker.record(8000);
    clock.advance(30_000);
    for (let i = 0; i < 10; i++) tracker.record(300);
    expect(tracker.quantile(0.95)).toBe(8000);
    clock.advance(30_001);
    expect(tracker.count()).toBe(10);
    expect(tracker.quantile(0.95)).toBe(300);
    clock.advance(30_000);
    expect(tracker.quantile(0.95)).toBeUndefined();
  });

  it('ignores values that are not latencies', () => {
    const tracker = createQuantileTracker({ minSamples: 1, clock: createFakeClock() });
    tracker.record(Number.NaN);
    tracker.record(-1);
    tracker.record(Number.POSITIVE_INFINITY);
    expect(tracker.count()).toBe(0);
    expect(() => tracker.quantile(1.5)).toThrow('q must be a number between 0 and 1, got 1.5');
  });
});
