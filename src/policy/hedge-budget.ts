import { checkNumber } from './check-option.ts';
import { type Clock, realClock } from './clock.ts';
import { countInWindow, sumWindow, type WindowBucket, type WindowShape } from './sliding-window.ts';

export interface HedgeBudgetOptions {
  /** Hedged calls allowed as a share of the calls in the window; default 0.05. */
  maxRatio?: number;
  /** How far back calls count; default 60 000 ms. */
  windowMs?: number;
  /** Slices the window is cut into as it slides; default 10. */
  buckets?: number;
  clock?: Clock;
}

export interface HedgeBudgetSnapshot {
  /** Hedgeable calls recorded in the window. */
  readonly calls: number;
  /** Hedges started in the window. */
  readonly hedges: number;
  /** Hedges the window allows: floor(maxRatio x calls). */
  readonly allowed: number;
}

/**
 * Bounds how much extra load hedging adds (Dean and Barroso hedge "a few percent" of calls):
 * hedges started in the sliding window may be at most `maxRatio` of the calls counted in it,
 * the call asking included. Built as the retry budget is (counts in a sliding window), but with
 * no floor: a floor would let a quiet client hedge far more than its ratio, and the ratio is
 * the promise. So with fewer than 1 / maxRatio calls in the window (20 at 5%) nothing is
 * hedged yet. Unlike a retry, a hedge is charged when it starts, win or lose: its load is
 * paid either way.
 */
export interface HedgeBudget {
  /** Count one call that could be hedged. */
  recordCall(): void;
  /** Takes one hedge when the window allows it; false means "do not hedge this call". */
  tryAcquire(): boolean;
  snapshot(): HedgeBudgetSnapshot;
}

type Key = 'calls' | 'hedges';
const ZERO: Readonly<Record<Key, number>> = { calls: 0, hedges: 0 };

export function createHedgeBudget(options: HedgeBudgetOptions = {}): HedgeBudget {
  const maxRatio = checkNumber('maxRatio', options.maxRatio ?? 0.05, { max: 1 });
  const shape: WindowShape = {
    windowMs: checkNumber('windowMs', options.windowMs ?? 60_000, { min: 1 }),
    buckets: checkNumber('buckets', options.buckets ?? 10, { min: 1, integer: true }),
  };
  const clock = options.clock ?? realClock;
  let window: WindowBucket<Key>[] = [];

  const snapshot = (): HedgeBudgetSnapshot => {
    const { calls, hedges } = sumWindow(window, shape, clock.now(), ZERO);
    // The epsilon keeps 0.05 x 20 from flooring to 0 in binary floating point.
    return { calls, hedges, allowed: Math.floor(maxRatio * calls + 1e-9) };
  };

  return {
    recordCall() {
      window = countInWindow(window, shape, clock.now(), 'calls', ZERO);
    },
    tryAcquire() {
      const { hedges, allowed } = snapshot();
      if (hedges >= allowed) return false;
      window = countInWindow(window, shape, clock.now(), 'hedges', ZERO);
      return true;
    },
    snapshot,
  };
}
