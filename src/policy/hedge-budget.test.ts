import { describe, expect, it } from 'vitest';
import { createFakeClock } from './fake-clock.ts';
import { createHedgeBudget } from './hedge-budget.ts';

describe('hedge budget', () => {
  it('allows at most maxRatio of the calls in the window, the asking call included', () => {
    const clock = createFakeClock();
    const budget = createHedgeBudget({ maxRatio: 0.05, clock });
    let hedged = 0;
    for (let i = 0; i < 200; i++) {
      budget.recordCall();
      // Every call asks: the budget alone decides.
      if (budget.tryAcquire()) hedged++;
      clock.advance(10);
    }
    expect(hedged).toBe(10);
    expect(budget.snapshot()).toEqual({ calls: 200, hedges: 10, allowed: 10 });
  });

  it('has no floor: fewer than 1 / maxRatio calls in the window hedge nothing', () => {
    const clock = createFakeClock();
    const budget = createHedgeBudget({ maxRatio: 0.05, clock });
    for (let i = 0; i < 19; i++) {
      budget.recordCall();
      expect(budget.tryAcquire()).toBe(false);
    }
    budget.recordCall();
    expect(budget.tryAcquire()).toBe(true);
    expect(budget.tryAcquire()).toBe(false);
  });

  it('forgets calls and hedges as the window slides past them', () => {
    const clock = createFakeClock(0);
    const budget = createHedgeBudget({ maxRatio: 0.1, windowMs: 10_000, buckets: 10, clock });
    for (let i = 0; i < 10; i++) budget.recordCall();
    expect(budget.tryAcquire()).toBe(true);
    expect(budget.tryAcquire()).toBe(false);
    clock.advance(10_000);
    // The old calls and the old hedge are gone together: a new window must earn its hedges.
    expect(budget.snapshot()).toEqual({ calls: 0, hedges: 0, allowed: 0 });
    expect(budget.tryAcquire()).toBe(false);
    for (let i = 0; i < 10; i++) budget.recordCall();
    expect(budget.tryAcquire()).toBe(true);
  });

  it('keeps hedges within the ratio when the calls in the window age out before the hedges', () => {
    const clock = createFakeClock(0);
    const budget = createHedgeBudget({ maxRatio: 0.5, windowMs: 1000, buckets: 10, clock });
    budget.recordCall();
    budget.recordCall();
    expect(budget.tryAcquire()).toBe(true);
    clock.advance(500);
    budget.recordCall();
    budget.recordCall();
    expect(budget.tryAcquire()).toBe(true);
    expect(budget.tryAcquire()).toBe(false);
    clock.advance(600);
    // The first two calls and their hedge aged out: 2 calls, 1 hedge, allowed 1.
    expect(budget.snapshot()).toEqual({ calls: 2, hedges: 1, allowed: 1 });
    expect(budget.tryAcquire()).toBe(false);
  });

  it('names a bad option and its value', () => {
    expect(() => createHedgeBudget({ maxRatio: 1.5 })).toThrow(
      'maxRatio must be a number between 0 and 1, got 1.5',
    );
    expect(() => createHedgeBudget({ windowMs: 0 })).toThrow('windowMs must be a number >= 1, got 0');
  });
});
