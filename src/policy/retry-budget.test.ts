import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock, type FakeClock } from './fake-clock.ts';
import { createRetryBudget } from './retry-budget.ts';

let clock: FakeClock;

afterEach(() => {
  expect(clock.pendingTimers()).toBe(0);
});

/** Retries until the budget says no, each of them failing (and so charged). */
const drain = (budget: { tryAcquireRetry(): boolean; settleRetry(ok: boolean): void }) => {
  let granted = 0;
  while (budget.tryAcquireRetry()) {
    budget.settleRetry(false);
    granted++;
  }
  return granted;
};

describe('createRetryBudget', () => {
  it('grants the floor when there are few calls, then says no without throwing', () => {
    clock = createFakeClock();
    const budget = createRetryBudget({ clock, minRetriesPerWindow: 3 });
    budget.recordRequest();
    expect(drain(budget)).toBe(3);
    expect(budget.tryAcquireRetry()).toBe(false);
    expect(budget.snapshot()).toEqual({ requests: 1, retries: 3, allowed: 3, available: 0 });
  });

  it('allows retries up to the ratio of recent calls once that exceeds the floor', () => {
    clock = createFakeClock();
    const budget = createRetryBudget({ clock, ratio: 0.1, minRetriesPerWindow: 10 });
    for (let i = 0; i < 500; i++) budget.recordRequest();
    expect(budget.snapshot().allowed).toBe(50);
    expect(drain(budget)).toBe(50);
    // More calls earn more retries.
    for (let i = 0; i < 100; i++) budget.recordRequest();
    expect(drain(budget)).toBe(10);
  });

  it('refills as the window slides and old calls and retries age out', () => {
    clock = createFakeClock(0);
    const budget = createRetryBudget({ clock, windowMs: 10_000, minRetriesPerWindow: 2, ratio: 0.1 });
    for (let i = 0; i < 100; i++) budget.recordRequest();
    expect(drain(budget)).toBe(10);
    clock.advance(5000);
    expect(budget.tryAcquireRetry()).toBe(false);
    // Half a window later the first calls and their retries are still inside.
    clock.advance(4000);
    expect(budget.snapshot()).toMatchObject({ requests: 100, retries: 10, available: 0 });
    // A full window after, both have aged out: back to the floor.
    clock.advance(1000);
    expect(budget.snapshot()).toEqual({ requests: 0, retries: 0, allowed: 2, available: 2 });
    expect(drain(budget)).toBe(2);
  });

  it('slides bucket by bucket, not all at once', () => {
    clock = createFakeClock(0);
    const budget = createRetryBudget({
      clock,
      windowMs: 10_000,
      buckets: 10,
      minRetriesPerWindow: 0,
      ratio: 0.5,
    });
    for (let i = 0; i < 10; i++) budget.recordRequest(); // bucket 0
    clock.advance(5000);
    for (let i = 0; i < 10; i++) budget.recordRequest(); // bucket 5
    expect(budget.snapshot().allowed).toBe(10);
    clock.advance(5000); // bucket 0 ages out, bucket 5 stays
    expect(budget.snapshot()).toMatchObject({ requests: 10, allowed: 5 });
  });

  it('charges only retries that fail: successful ones, and retries still in flight, spend nothing', () => {
    clock = createFakeClock();
    const budget = createRetryBudget({ clock, minRetriesPerWindow: 2 });
    budget.recordRequest();
    // A burst: twelve calls in flight retry at once; none has failed yet, so all may go.
    const allowed = Array.from({ length: 12 }, () => budget.tryAcquireRetry());
    expect(allowed.every(Boolean)).toBe(true);
    for (let i = 0; i < 10; i++) budget.settleRetry(true);
    expect(budget.snapshot()).toMatchObject({ retries: 0, available: 2 });
    budget.settleRetry(false);
    budget.settleRetry(false);
    expect(budget.tryAcquireRetry()).toBe(false);
    // Failed retries age out with the window.
    clock.advance(60_000);
    expect(budget.tryAcquireRetry()).toBe(true);
  });

  it('rejects bad options, naming them', () => {
    clock = createFakeClock();
    expect(() => createRetryBudget({ ratio: -0.1 })).toThrow(/ratio/);
    expect(() => createRetryBudget({ windowMs: 0 })).toThrow(/windowMs/);
    expect(() => createRetryBudget({ minRetriesPerWindow: 1.5 })).toThrow(/minRetriesPerWindow/);
  });
});
