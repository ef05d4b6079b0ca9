/**
 * Time as the policies see it. Everything that waits or measures takes a Clock, so tests
 * run against a fake one and never sleep for real.
 */
export interface TimerHandle {
  /** Cancels the timer; safe to call twice. */
  clear(): void;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /**
   * Runs `callback` after `ms`. Real timers stay ref'd on purpose: a script awaiting a call
   * that is backing off must not exit mid-wait; every owner clears its timers when done.
   */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Resolves after `ms`; rejects with `signal.reason` as soon as the signal aborts, clearing its timer. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, Math.max(0, ms));
    return { clear: () => clearTimeout(timer) };
  },
  sleep(ms, signal) {
    return sleepWith(realClock, ms, signal);
  },
};

/** `sleep` built on a clock's `setTimeout`, shared by the real and the fake clock. */
export function sleepWith(clock: Pick<Clock, 'setTimeout'>, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      timer.clear();
      reject(signal?.reason);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
