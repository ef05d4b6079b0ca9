import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { OutlastError } from '../errors/index.ts';
import { createFakeClock, type FakeClock } from './fake-clock.ts';
import { hedge, hedgeRace } from './hedging.ts';

let clock: FakeClock;

afterEach(() => {
  expect(clock.pendingTimers()).toBe(0);
});

interface Plan {
  ms: number;
  fail?: string;
}

/** Attempts that take `ms` on the fake clock, then answer or fail; they record their signals. */
function attempts(plans: Plan[]) {
  const signals: AbortSignal[] = [];
  const start = async (signal: AbortSignal, index: number) => {
    signals.push(signal);
    const plan = plans[index];
    if (!plan) throw new Error(`no plan for attempt ${index}`);
    await clock.sleep(plan.ms, signal);
    if (plan.fail) throw new Error(plan.fail);
    return `answer ${index}`;
  };
  return { signals, start };
}

describe('hedge', () => {
  it('does not hedge when the primary answers before the delay', async () => {
    clock = createFakeClock(0);
    const { signals, start } = attempts([{ ms: 500 }]);
    const result = hedgeRace({ clock, delayMs: 1000 }, start);
    await clock.advanceAsync(500);
    await expect(result).resolves.toEqual({ value: 'answer 0', index: 0, started: 1 });
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(false);
  });

  it('starts a hedge after the delay; the hedge wins and the primary is aborted as the loser', async () => {
    clock = createFakeClock(0);
    const { signals, start } = attempts([{ ms: 10_000 }, { ms: 300 }]);
    const hedged: number[] = [];
    const result = hedgeRace({ clock, delayMs: 1000, onHedge: (i) => hedged.push(i) }, start);
    await clock.advanceAsync(999);
    expect(signals).toHaveLength(1);
    await clock.advanceAsync(1);
    expect(signals).toHaveLength(2);
    expect(hedged).toEqual([1]);
    await clock.advanceAsync(300);
    await expect(result).resolves.toEqual({ value: 'answer 1', index: 1, started: 2 });
    const loser = signals[0]!;
    expect(loser.aborted).toBe(true);
    expect(OutlastError.isInstance(loser.reason)).toBe(true);
    expect(loser.reason).toMatchObject({ kind: 'cancelled', code: 'OUTLAST_HEDGE_LOST' });
    expect((loser.reason as OutlastError).message).toMatch(/#0 lost the race to attempt #1/);
    expect(signals[1]?.aborted).toBe(false);
  });

  it('the primary can still win after the hedge started; the hedge is then aborted', async () => {
    clock = createFakeClock(0);
    const { signals, start } = attempts([{ ms: 1500 }, { ms: 5000 }]);
    const result = hedge({ clock, delayMs: 1000 }, start);
    await clock.advanceAsync(1500);
    await expect(result).resolves.toBe('answer 0');
    expect(signals[1]?.reason).toMatchObject({ code: 'OUTLAST_HEDGE_LOST' });
  });

  it('rejects with the primary error when every attempt fails, whichever failed last', async () => {
    clock = createFakeClock(0);
    const { start } = attempts([
      { ms: 2000, fail: 'primary 529' },
      { ms: 3000, fail: 'hedge reset' },
    ]);
    const result = hedge({ clock, delayMs: 1000 }, start);
    result.catch(() => {});
    await clock.advanceAsync(4000);
    await expect(result).rejects.toThrow('primary 529');
  });

  it('waits for the running hedge when the primary fails after it started', async () => {
    clock = createFakeClock(0);
    const { start } = attempts([{ ms: 1200, fail: 'primary 500' }, { ms: 1000 }]);
    const result = hedge({ clock, delayMs: 1000 }, start);
    await clock.advanceAsync(2000);
    await expect(result).resolves.toBe('answer 1');
  });

  it('rejects at once when the primary fails before the delay (retrying is the engine job)', async () => {
    clock = createFakeClock(0);
    const { signals, start } = attempts([{ ms: 100, fail: 'primary 401' }]);
    const result = hedge({ clock, delayMs: 1000 }, start);
    result.catch(() => {});
    await clock.advanceAsync(100);
    await expect(result).rejects.toThrow('primary 401');
    expect(signals).toHaveLength(1);
  });

  it('starts no hedge when the budget hook says no', async () => {
    clock = createFakeClock(0);
    const { signals, start } = attempts([{ ms: 3000 }]);
    const result = hedge({ clock, delayMs: 1000, shouldHedge: () => false }, start);
    await clock.advanceAsync(3000);
    await expect(result).resolves.toBe('answer 0');
    expect(signals).toHaveLength(1);
  });

  it('starts up to maxHedges extra attempts, one delay apart', async () => {
    clock = createFakeClock(0);
    const { signals, start } = attempts([{ ms: 10_000 }, { ms: 10_000 }, { ms: 100 }]);
    const result = hedgeRace({ clock, delayMs: 1000, maxHedges: 2 }, start);
    await clock.advanceAsync(2100);
    await expect(result).resolves.toMatchObject({ index: 2, started: 3 });
    expect(signals.map((s) => s.aborted)).toEqual([true, true, false]);
  });

  it('the caller abort aborts every attempt and rejects with its typed reason', async () => {
    clock = createFakeClock(0);
    const caller = new AbortController();
    const { signals, start } = attempts([{ ms: 10_000 }, { ms: 10_000 }]);
    const result = hedge({ clock, delayMs: 1000, signal: caller.signal }, start);
    result.catch(() => {});
    await clock.advanceAsync(1500);
    caller.abort('user left');
    await expect(result).rejects.toMatchObject({ kind: 'cancelled', cause: 'user left' });
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('treats a start that throws synchronously as a failed attempt', async () => {
    clock = createFakeClock(0);
    const result = hedge({ clock, delayMs: 1000 }, () => {
      throw new Error('bad request');
    });
    await expect(result).rejects.toThrow('bad request');
  });

  it('rejects bad options, naming them', () => {
    clock = createFakeClock(0);
    expect(() => hedgeRace({ clock, delayMs: -1 }, async () => 1)).toThrow(/delayMs/);
    expect(() => hedgeRace({ clock, delayMs: 1, maxHedges: 1.5 }, async () => 1)).toThrow(/maxHedges/);
  });
});
