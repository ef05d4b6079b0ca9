import { checkNumber } from './check-option.ts';
import { type Clock, realClock } from './clock.ts';
import { countInWindow, sumWindow, type WindowBucket, type WindowShape } from './sliding-window.ts';

export interface RetryBudgetOptions {
  /** Retries allowed as a share of the calls in the window; default 0.1 (Google SRE's 10%). */
  ratio?: number;
  /** How far back calls count; default 60 000 ms. */
  windowMs?: number;
  /** Retries always allowed per window however few the calls (the floor); default 10. */
  minRetriesPerWindow?: number;
  /** Slices the window is cut into as it slides; default 10. */
  buckets?: number;
  clock?: Clock;
}

export interface RetryBudgetSnapshot {
  /** Calls recorded in the window. */
  readonly requests: number;
  /** Retries charged in the window: those that failed (see `settleRetry`). */
  readonly retries: number;
  /** Retries the window allows: max(floor, ratio x requests). */
  readonly allowed: number;
  /** Retries still available now. */
  readonly available: number;
}

/**
 * Keeps a fleet of callers from turning an outage into a retry storm: failed retries may be at
 * most a share of recent calls, plus a floor so a quiet client can still retry. Only a retry
 * that fails is charged: a retry that answers shows retrying works, so scattered faults (or a
 * short burst many calls in flight met at once) never spend the budget for everyone, while a
 * target that is down spends it within one wave of retries. An empty budget means "do not
 * retry" (fall back or fail with the real error), never an error of its own.
 */
export interface RetryBudget {
  /** Count one call (its first attempt; retries are counted by `settleRetry`). */
  recordRequest(): void;
  /** Whether a retry may go ahead now: false once failed retries have spent the budget. */
  tryAcquireRetry(): boolean;
  /** How a retry that `tryAcquireRetry` allowed went: a failed one is charged to the budget. */
  settleRetry(ok: boolean): void;
  snapshot(): RetryBudgetSnapshot;
}

type Key = 'requests' | 'retries';
const ZERO: Readonly<Record<Key, number>> = { requests: 0, retries: 0 };

export function createRetryBudget(options: RetryBudgetOptions = {}): RetryBudget {
  const ratio = checkNumber('ratio', options.ratio ?? 0.1, { max: 1000 });
  const floor = checkNumber('minRetriesPerWindow', options.minRetriesPerWindow ?? 10, { integer: true });
  const shape: WindowShape = {
    windowMs: checkNumber('windowMs', options.windowMs ?? 60_000, { min: 1 }),
    buckets: checkNumber('buckets', options.buckets ?? 10, { min: 1, integer: true }),
  };
  const clock = options.clock ?? realClock;
  let window: WindowBucket<Key>[] = [];

  const snapshot = (): RetryBudgetSnapshot => {
    const { requests, retries } = sumWindow(window, shape, clock.now(), ZERO);
    const allowed = Math.max(floor, Math.floor(ratio * requests));
    return { requests, retries, allowed, available: Math.max(0, allowed - retries) };
  };

  return {
    recordRequest() {
      window = countInWindow(window, shape, clock.now(), 'requests', ZERO);
    },
    tryAcquireRetry() {
      return snapshot().available > 0;
    },
    settleRetry(ok) {
      if (!ok) window = countInWindow(window, shape, clock.now(), 'retries', ZERO);
    },
    snapshot,
  };
}
