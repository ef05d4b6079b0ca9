import { type Clock, sleepWith, type TimerHandle } from './clock.ts';

/** A Clock whose time moves only when a test says so. */
export interface FakeClock extends Clock {
  /**
   * Moves time forward by `ms`, firing every timer that falls due in time order, including
   * timers that those callbacks schedule inside the window. Synchronous: promise chains
   * started by a callback only progress after the caller awaits.
   */
  advance(ms: number): void;
  /** Like `advance`, but lets pending microtasks (promise chains) run before and between timers. */
  advanceAsync(ms: number): Promise<void>;
  /** Timers scheduled and neither fired nor cleared. */
  pendingTimers(): number;
  /** Fires every timer, moving time to each one's due time, until none is left. */
  runAll(): void;
  /** `runAll` with microtasks flushed between timers. */
  runAllAsync(): Promise<void>;
  /** Lets pending promise chains progress without moving time. */
  flush(): Promise<void>;
}

interface FakeTimer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

// A guard against a timer that reschedules itself forever inside one advance or runAll.
const MAX_TIMERS_PER_RUN = 100_000;

/** One macrotask turn: every queued microtask runs before it resolves. Not a sleep. */
const macrotaskTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createFakeClock(startMs = 1_700_000_000_000): FakeClock {
  let now = startMs;
  let seq = 0;
  const timers = new Set<FakeTimer>();

  const nextDue = (limit: number): FakeTimer | undefined => {
    let best: FakeTimer | undefined;
    for (const t of timers) {
      if (t.at > limit) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  };

  const fire = (timer: FakeTimer) => {
    timers.delete(timer);
    now = Math.max(now, timer.at);
    timer.callback();
  };

  const checkMs = (ms: number) => {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`fake clock: cannot advance by ${ms} ms`);
  };

  const clock: FakeClock = {
    now: () => now,
    setTimeout(callback, ms): TimerHandle {
      const delay = Number.isFinite(ms) ? Math.max(0, ms) : 0;
      const timer: FakeTimer = { at: now + delay, seq: seq++, callback };
      timers.add(timer);
      return { clear: () => timers.delete(timer) };
    },
    sleep(ms, signal) {
      return sleepWith(clock, ms, signal);
    },
    advance(ms) {
      checkMs(ms);
      const target = now + ms;
      for (let i = 0; ; i++) {
        if (i > MAX_TIMERS_PER_RUN) throw new Error('fake clock: timers keep rescheduling themselves');
        const timer = nextDue(target);
        if (!timer) break;
        fire(timer);
      }
      now = target;
    },
    async advanceAsync(ms) {
      checkMs(ms);
      const target = now + ms;
      await macrotaskTurn();
      for (let i = 0; ; i++) {
        if (i > MAX_TIMERS_PER_RUN) throw new Error('fake clock: timers keep rescheduling themselves');
        const timer = nextDue(target);
        if (!timer) break;
        fire(timer);
        await macrotaskTurn();
      }
      now = target;
      await macrotaskTurn();
    },
    pendingTimers: () => timers.size,
    runAll() {
      for (let i = 0; timers.size > 0; i++) {
        if (i > MAX_TIMERS_PER_RUN) throw new Error('fake clock: timers keep rescheduling themselves');
        const timer = nextDue(Number.POSITIVE_INFINITY);
        if (timer) fire(timer);
      }
    },
    async runAllAsync() {
      await macrotaskTurn();
      for (let i = 0; timers.size > 0; i++) {
        if (i > MAX_TIMERS_PER_RUN) throw new Error('fake clock: timers keep rescheduling themselves');
        const timer = nextDue(Number.POSITIVE_INFINITY);
        if (timer) fire(timer);
        await macrotaskTurn();
      }
    },
    flush: macrotaskTurn,
  };
  return clock;
}
