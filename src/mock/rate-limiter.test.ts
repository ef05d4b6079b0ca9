import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter.ts';

const allowedAt = (limiter: ReturnType<typeof createRateLimiter>, times: number[], capacity = 3, rate = 2) =>
  times.map((t) => limiter.take('m', { capacity, refillPerSecond: rate }, t).allowed);

describe('createRateLimiter', () => {
  it('serves a full bucket at once, then refuses until the next token arrives', () => {
    const limiter = createRateLimiter();
    const config = { capacity: 3, refillPerSecond: 2 };
    const served = [0, 0, 0].map(() => limiter.take('m', config, 0));
    expect(served.map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
    ]);
    expect(served[2]).toMatchObject({ nextTokenMs: 500, fullMs: 1500, limit: 3 });
    expect(limiter.take('m', config, 0)).toMatchObject({ allowed: false, remaining: 0, nextTokenMs: 500 });
    // A refusal takes nothing: the wait shrinks with time alone.
    expect(limiter.take('m', config, 300)).toMatchObject({ allowed: false, nextTokenMs: 200 });
    expect(limiter.take('m', config, 499)).toMatchObject({ allowed: false, nextTokenMs: 1 });
    expect(limiter.take('m', config, 500)).toMatchObject({ allowed: true, remaining: 0, nextTokenMs: 500 });
  });

  it('refills continuously up to the capacity, never past it', () => {
    const limiter = createRateLimiter();
    expect(allowedAt(limiter, [0, 0, 0, 0])).toEqual([true, true, true, false]);
    // 60 s later the bucket holds 3, not 120.
    expect(allowedAt(limiter, [60_000, 60_000, 60_000, 60_000])).toEqual([true, true, true, false]);
  });

  it('keeps fractional refill exact enough that tenths add up to a token', () => {
    const limiter = createRateLimiter();
    const config = { capacity: 1, refillPerSecond: 10 };
    expect(limiter.take('m', config, 0).allowed).toBe(true);
    // Ten steps of 10 ms (0.1 token each, in float) make exactly one token at 100 ms.
    const results = Array.from({ length: 10 }, (_, i) => limiter.take('m', config, (i + 1) * 10).allowed);
    expect(results).toEqual([false, false, false, false, false, false, false, false, false, true]);
  });

  it('keeps one bucket per key, and reset fills them all', () => {
    const limiter = createRateLimiter();
    const config = { capacity: 1, refillPerSecond: 1 };
    expect(limiter.take('a', config, 0).allowed).toBe(true);
    expect(limiter.take('a', config, 0).allowed).toBe(false);
    expect(limiter.take('b', config, 0).allowed).toBe(true);
    limiter.reset();
    expect(limiter.take('a', config, 0).allowed).toBe(true);
  });

  it('adds nothing when the clock steps back', () => {
    const limiter = createRateLimiter();
    const config = { capacity: 1, refillPerSecond: 1 };
    expect(limiter.take('m', config, 10_000).allowed).toBe(true);
    expect(limiter.take('m', config, 5_000).allowed).toBe(false);
    expect(limiter.take('m', config, 10_999).allowed).toBe(false);
    expect(limiter.take('m', config, 11_000).allowed).toBe(true);
  });
});
