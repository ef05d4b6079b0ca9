import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../policy/index.ts';
import type { HedgeSettings } from '../settings.ts';
import { createTargetStats } from '../target-stats.ts';
import { hedgeDelayMs } from './hedge.ts';

const p95: HedgeSettings = {
  after: 'p95',
  maxRatio: 0.05,
  windowMs: 60_000,
  fallbackMs: undefined,
  minSamples: 20,
};

describe('the hedge delay', () => {
  it('is the fixed after when given, whatever the target has seen', () => {
    const stats = createTargetStats(createFakeClock());
    expect(hedgeDelayMs({ ...p95, after: 750 }, stats, 'a/m')).toBe(750);
  });

  it("with p95: no hedge before minSamples first tokens, fallbackMs meanwhile when set, then the target's p95", () => {
    const clock = createFakeClock();
    const stats = createTargetStats(clock);
    for (let i = 0; i < 19; i++) stats.ttft('a/m').record(i % 10 === 0 ? 3000 : 200);
    expect(hedgeDelayMs(p95, stats, 'a/m')).toBeUndefined();
    expect(hedgeDelayMs({ ...p95, fallbackMs: 400 }, stats, 'a/m')).toBe(400);
    stats.ttft('a/m').record(200);
    // 20 samples, 2 of them slow: the nearest-rank p95 is the 19th, a slow one.
    expect(hedgeDelayMs(p95, stats, 'a/m')).toBe(3000);
    for (let i = 0; i < 80; i++) stats.ttft('a/m').record(200);
    // 100 samples, 2 slow: the p95 is fast, so a slow first token is hedged soon.
    expect(hedgeDelayMs(p95, stats, 'a/m')).toBe(200);
    // Per target: another one has no samples of its own.
    expect(hedgeDelayMs(p95, stats, 'b/m')).toBeUndefined();
  });

  it('forgets first tokens older than 5 minutes', () => {
    const clock = createFakeClock();
    const stats = createTargetStats(clock);
    for (let i = 0; i < 20; i++) stats.ttft('a/m').record(900);
    expect(hedgeDelayMs(p95, stats, 'a/m')).toBe(900);
    clock.advance(300_001);
    expect(hedgeDelayMs(p95, stats, 'a/m')).toBeUndefined();
  });
});
