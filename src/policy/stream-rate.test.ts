import { describe, expect, it } from 'vitest';
import { createFakeClock, type FakeClock } from './fake-clock.ts';
import { createStreamRateGuard, type StreamRateOptions } from './stream-rate.ts';

const base = (clock: FakeClock): StreamRateOptions => ({
  floorTps: 0,
  relative: 0,
  normTps: undefined,
  graceMs: 2000,
  windowMs: 3000,
  clock,
});

/** Feeds `tokens` every `everyMs` for `forMs`, and returns the first verdict and when it came. */
function feed(
  guard: ReturnType<typeof createStreamRateGuard>,
  clock: FakeClock,
  tokens: number,
  everyMs: number,
  forMs: number,
) {
  const start = clock.now();
  for (let t = 0; t <= forMs; t += everyMs) {
    if (t > 0) clock.advance(everyMs);
    const verdict = guard.observe(tokens);
    if (verdict) return { verdict, atMs: clock.now() - start };
  }
  return undefined;
}

describe('stream rate guard', () => {
  it('never fires without a floor or a norm', () => {
    const clock = createFakeClock();
    const guard = createStreamRateGuard(base(clock));
    expect(guard.thresholdTps).toBe(0);
    expect(feed(guard, clock, 1, 1000, 60_000)).toBeUndefined();
  });

  it('flags a stream under the absolute floor, no earlier than max(grace, window) after its first token', () => {
    const clock = createFakeClock();
    const guard = createStreamRateGuard({ ...base(clock), floorTps: 5 });
    // 1 token every 500 ms: 2 tokens/s.
    const result = feed(guard, clock, 1, 500, 60_000);
    expect(result?.atMs).toBe(3000);
    // The window (3 s) at 3000 ms holds the parts at 500..3000: 6 tokens, 2 tokens/s.
    expect(result?.verdict).toEqual({ rateTps: 2, thresholdTps: 5, windowMs: 3000 });
  });

  it('lets a stream at or above the floor run to its end', () => {
    const clock = createFakeClock();
    const guard = createStreamRateGuard({ ...base(clock), floorTps: 5 });
    // 5 tokens every second: 5 tokens/s, not below the floor.
    expect(feed(guard, clock, 5, 1000, 60_000)).toBeUndefined();
  });

  it('judges the last window only: a fast start does not hide a crawl that follows', () => {
    const clock = createFakeClock();
    const guard = createStreamRateGuard({ ...base(clock), floorTps: 5 });
    expect(feed(guard, clock, 50, 100, 5000)).toBeUndefined();
    const crawl = feed(guard, clock, 1, 1000, 60_000);
    // The fast parts leave the 3 s window after 3 s of crawling.
    expect(crawl?.atMs).toBe(3000);
    expect(crawl?.verdict.rateTps).toBe(1);
  });

  it('uses the relative rule against the target norm once the norm is known', () => {
    const clock = createFakeClock();
    const withNorm = createStreamRateGuard({ ...base(clock), relative: 0.1, normTps: 80 });
    expect(withNorm.thresholdTps).toBe(8);
    // 6 tokens/s: fine for a floor of 5, slow for a target whose norm is 80.
    expect(feed(withNorm, clock, 3, 500, 60_000)?.verdict.rateTps).toBe(6);
    const noNorm = createStreamRateGuard({ ...base(clock), relative: 0.1 });
    expect(noNorm.thresholdTps).toBe(0);
  });

  it('takes the higher of the floor and the relative rule', () => {
    const clock = createFakeClock();
    const guard = createStreamRateGuard({ ...base(clock), floorTps: 4, relative: 0.1, normTps: 20 });
    expect(guard.thresholdTps).toBe(4);
  });

  it('names a bad option', () => {
    const clock = createFakeClock();
    expect(() => createStreamRateGuard({ ...base(clock), windowMs: 0 })).toThrow(
      'windowMs must be a number >= 1, got 0',
    );
    expect(() => createStreamRateGuard({ ...base(clock), relative: 2 })).toThrow(
      'relative must be a number between 0 and 1, got 2',
    );
  });
});
