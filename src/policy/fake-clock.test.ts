import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock, type FakeClock } from './fake-clock.ts';

let clock: FakeClock;

afterEach(() => {
  expect(clock.pendingTimers()).toBe(0);
});

describe('createFakeClock', () => {
  it('starts at the given time and moves only when advanced', () => {
    clock = createFakeClock(1000);
    expect(clock.now()).toBe(1000);
    clock.advance(250);
    expect(clock.now()).toBe(1250);
  });

  it('fires due timers in time order, at their due time, and leaves later ones pending', () => {
    clock = createFakeClock(0);
    const fired: Array<[string, number]> = [];
    clock.setTimeout(() => fired.push(['b', clock.now()]), 200);
    clock.setTimeout(() => fired.push(['a', clock.now()]), 100);
    clock.setTimeout(() => fired.push(['c', clock.now()]), 100);
    const late = clock.setTimeout(() => fired.push(['late', clock.now()]), 1000);
    clock.advance(200);
    expect(fired).toEqual([
      ['a', 100],
      ['c', 100],
      ['b', 200],
    ]);
    expect(clock.pendingTimers()).toBe(1);
    late.clear();
    late.clear();
  });

  it('fires timers scheduled by callbacks inside the window', () => {
    clock = createFakeClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 50);
      clock.setTimeout(() => fired.push(clock.now()), 500);
    }, 100);
    clock.advance(200);
    expect(fired).toEqual([100, 150]);
    expect(clock.now()).toBe(200);
    clock.runAll();
    expect(fired).toEqual([100, 150, 600]);
  });

  it('advanceAsync lets promise chains progress between timers', async () => {
    clock = createFakeClock(0);
    const seen: number[] = [];
    const run = async () => {
      await clock.sleep(100);
      seen.push(clock.now());
      await clock.sleep(100);
      seen.push(clock.now());
    };
    const done = run();
    await clock.advanceAsync(200);
    expect(seen).toEqual([100, 200]);
    await done;
  });

  it('sleep rejects with the signal reason and clears its timer on abort', async () => {
    clock = createFakeClock(0);
    const controller = new AbortController();
    const slept = clock.sleep(1000, controller.signal);
    expect(clock.pendingTimers()).toBe(1);
    controller.abort(new Error('stop'));
    await expect(slept).rejects.toThrow('stop');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('refuses to move backwards', () => {
    clock = createFakeClock(0);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});
