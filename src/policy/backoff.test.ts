import { describe, expect, it } from 'vitest';
import { type Backoff, createBackoff, planRetryWait } from './backoff.ts';
import { createSeededRandom } from './seeded-random.ts';

const SAMPLES = 4000;

/** Draws the delay of attempt `n` (0-based) from a fresh walk, many times over seeded draws. */
function samplesAt(backoff: Backoff, n: number, seed: number): number[] {
  const random = createSeededRandom(seed);
  const out: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    let b = backoff;
    let delay = 0;
    for (let k = 0; k <= n; k++) ({ delayMs: delay, backoff: b } = b.next(random));
    out.push(delay);
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('createBackoff', () => {
  it('none: base doubling up to the cap', () => {
    let b = createBackoff({ jitter: 'none', baseMs: 500, capMs: 8000 });
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const step = b.next(() => 0.5);
      delays.push(step.delayMs);
      b = step.backoff;
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
    expect(b.attempt).toBe(7);
  });

  for (const n of [0, 2, 6]) {
    const d = Math.min(8000, 500 * 2 ** n);

    it(`full jitter at attempt ${n}: within [0, ${d}], spread uniformly`, () => {
      const xs = samplesAt(createBackoff({ jitter: 'full' }), n, 1 + n);
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...xs)).toBeLessThanOrEqual(d);
      expect(mean(xs)).toBeGreaterThan(d * 0.47);
      expect(mean(xs)).toBeLessThan(d * 0.53);
      expect(Math.min(...xs)).toBeLessThan(d * 0.01);
      expect(Math.max(...xs)).toBeGreaterThan(d * 0.99);
    });

    it(`equal jitter at attempt ${n}: within [${d / 2}, ${d}]`, () => {
      const xs = samplesAt(createBackoff({ jitter: 'equal' }), n, 11 + n);
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(d / 2);
      expect(Math.max(...xs)).toBeLessThanOrEqual(d);
      expect(mean(xs)).toBeGreaterThan(d * 0.73);
      expect(mean(xs)).toBeLessThan(d * 0.77);
      expect(Math.min(...xs)).toBeLessThan(d * 0.51);
    });
  }

  it('decorrelated jitter: each delay within [base, min(cap, 3 x previous)]', () => {
    const random = createSeededRandom(42);
    const base = 500;
    const cap = 8000;
    let reachedCap = 0;
    for (let walk = 0; walk < 500; walk++) {
      let b = createBackoff({ jitter: 'decorrelated', baseMs: base, capMs: cap });
      let previous = base;
      for (let i = 0; i < 12; i++) {
        const step = b.next(random);
        expect(step.delayMs).toBeGreaterThanOrEqual(base);
        expect(step.delayMs).toBeLessThanOrEqual(Math.min(cap, 3 * previous));
        if (step.delayMs === cap) reachedCap++;
        previous = step.delayMs;
        b = step.backoff;
      }
    }
    expect(reachedCap).toBeGreaterThan(0);
  });

  it('never exceeds the cap with any jitter, even after many attempts', () => {
    const random = createSeededRandom(7);
    for (const jitter of ['full', 'equal', 'decorrelated', 'none'] as const) {
      let b = createBackoff({ jitter, baseMs: 100, capMs: 3000 });
      for (let i = 0; i < 2000; i++) {
        const step = b.next(random);
        expect(step.delayMs).toBeLessThanOrEqual(3000);
        b = step.backoff;
      }
    }
  });

  it('is immutable: one config serves many calls', () => {
    const b = createBackoff({ jitter: 'none' });
    expect(b.next().backoff.next().delayMs).toBe(1000);
    expect(b.next().delayMs).toBe(500);
    expect(b.attempt).toBe(0);
  });

  it('keeps the bounds even when the random source misbehaves', () => {
    const b = createBackoff({ jitter: 'full', baseMs: 500 });
    expect(b.next(() => 7).delayMs).toBeLessThanOrEqual(500);
    expect(b.next(() => -1).delayMs).toBe(0);
    expect(b.next(() => Number.NaN).delayMs).toBe(0);
  });

  it('rejects bad options, naming them', () => {
    expect(() => createBackoff({ baseMs: -1 })).toThrow(/baseMs/);
    expect(() => createBackoff({ baseMs: 1000, capMs: 10 })).toThrow(/capMs.*10/);
    expect(() => createBackoff({ factor: 0.5 })).toThrow(/factor/);
    // @ts-expect-error: a value outside the union, as from an untyped config
    expect(() => createBackoff({ jitter: 'random' })).toThrow(/jitter.*random/);
  });
});

describe('planRetryWait', () => {
  const backoff = createBackoff({ jitter: 'none', baseMs: 500, capMs: 8000 });
  const random = () => 0.5;

  it('waits the backoff when there is no hint', () => {
    const plan = planRetryWait({ backoff, remainingMs: 10_000, random });
    expect(plan).toMatchObject({ kind: 'wait', delayMs: 500, source: 'backoff' });
    if (plan.kind !== 'wait') throw new Error('expected a wait');
    expect(plan.next.attempt).toBe(1);
  });

  it('puts the server hint before the backoff', () => {
    const plan = planRetryWait({ backoff, hint: { retryAfterMs: 3000 }, remainingMs: 10_000, random });
    expect(plan).toMatchObject({ kind: 'wait', delayMs: 3000, source: 'hint' });
  });

  it('does not wait for a hint past the remaining deadline', () => {
    expect(planRetryWait({ backoff, hint: { retryAfterMs: 20_000 }, remainingMs: 15_000, random })).toEqual({
      kind: 'do_not_wait',
      reason: 'hint_exceeds_deadline',
      delayMs: 20_000,
    });
    // A wait ending exactly at the deadline leaves no time for the attempt.
    expect(planRetryWait({ backoff, hint: { retryAfterMs: 5000 }, remainingMs: 5000, random })).toMatchObject(
      {
        reason: 'hint_exceeds_deadline',
      },
    );
  });

  it('does not wait for a hint over the cap, even with time to spare', () => {
    expect(
      planRetryWait({
        backoff,
        hint: { retryAfterMs: 90_000 },
        remainingMs: Number.POSITIVE_INFINITY,
        random,
      }),
    ).toMatchObject({ kind: 'do_not_wait', reason: 'hint_exceeds_cap' });
    expect(
      planRetryWait({
        backoff,
        hint: { retryAfterMs: 90_000 },
        remainingMs: 1e9,
        maxHintMs: 120_000,
        random,
      }),
    ).toMatchObject({ kind: 'wait', delayMs: 90_000 });
  });

  it('obeys x-should-retry: false, and backs off on true without a wait', () => {
    expect(
      planRetryWait({ backoff, hint: { shouldRetry: false, retryAfterMs: 1 }, remainingMs: 1e9, random }),
    ).toEqual({ kind: 'do_not_wait', reason: 'server_said_no' });
    expect(planRetryWait({ backoff, hint: { shouldRetry: true }, remainingMs: 1e9, random })).toMatchObject({
      kind: 'wait',
      source: 'backoff',
    });
  });

  it('does not plan a backoff that outlasts the deadline', () => {
    expect(planRetryWait({ backoff, remainingMs: 400, random })).toEqual({
      kind: 'do_not_wait',
      reason: 'backoff_exceeds_deadline',
      delayMs: 500,
    });
  });
});
