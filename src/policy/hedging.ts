import { OutlastError, SPECIFIC_CODES } from '../errors/index.ts';
import { checkNumber } from './check-option.ts';
import { type Clock, realClock, type TimerHandle } from './clock.ts';
import { abortReason } from './deadline.ts';

export interface HedgeOptions {
  /** How long the first attempt may go without settling before a second one starts. */
  delayMs: number;
  /** Extra attempts at most, each `delayMs` after the previous one; default 1. */
  maxHedges?: number;
  clock?: Clock;
  /** Aborting it aborts every attempt and rejects with its typed reason. */
  signal?: AbortSignal;
  /** Asked before each hedge starts (a budget); false means no more hedges for this call. */
  shouldHedge?: () => boolean;
  /** Told when a hedge starts (for events and traces). */
  onHedge?: (index: number) => void;
}

export interface HedgeResult<T> {
  readonly value: T;
  /** Which attempt won: 0 is the primary. */
  readonly index: number;
  /** How many attempts were started. */
  readonly started: number;
}

/**
 * Starts `start(signal, 0)`, and another attempt after `delayMs` if none has settled yet
 * (the attempt's promise should settle at its first content, so "not settled" means "has
 * produced nothing"). The first success wins and the others are aborted with a reason saying
 * they lost; if every started attempt fails, rejects with the primary's error.
 */
export async function hedge<T>(
  options: HedgeOptions,
  start: (attemptSignal: AbortSignal, index: number) => Promise<T>,
): Promise<T> {
  return (await hedgeRace(options, start)).value;
}

/** `hedge`, telling also which attempt won and how many started. */
export function hedgeRace<T>(
  options: HedgeOptions,
  start: (attemptSignal: AbortSignal, index: number) => Promise<T>,
): Promise<HedgeResult<T>> {
  const delayMs = checkNumber('delayMs', options.delayMs);
  const maxHedges = checkNumber('maxHedges', options.maxHedges ?? 1, { integer: true });
  const clock = options.clock ?? realClock;
  const outer = options.signal;
  if (outer?.aborted) return Promise.reject(abortReason(outer));

  return new Promise<HedgeResult<T>>((resolve, reject) => {
    const controllers: AbortController[] = [];
    const errors = new Map<number, unknown>();
    let settled = false;
    let timer: TimerHandle | undefined;

    const finish = (settle: () => void) => {
      settled = true;
      timer?.clear();
      timer = undefined;
      outer?.removeEventListener('abort', onAbort);
      settle();
    };
    function onAbort() {
      if (settled || !outer) return;
      const reason = abortReason(outer);
      for (const controller of controllers) controller.abort(reason);
      finish(() => reject(reason));
    }

    const launch = () => {
      const index = controllers.length;
      const controller = new AbortController();
      controllers.push(controller);
      if (index > 0) options.onHedge?.(index);
      let attempt: Promise<T>;
      try {
        attempt = Promise.resolve(start(controller.signal, index));
      } catch (error) {
        attempt = Promise.reject(error);
      }
      attempt.then(
        (value) => {
          if (settled) return;
          controllers.forEach((other, i) => {
            if (i !== index) other.abort(lostReason(i, index));
          });
          finish(() => resolve({ value, index, started: controllers.length }));
        },
        (error: unknown) => {
          if (settled) return;
          errors.set(index, error);
          // Every attempt started so far has failed: stop here rather than hedge a lost cause.
          if (errors.size === controllers.length) finish(() => reject(errors.get(0)));
        },
      );
      if (!settled && index < maxHedges) {
        timer = clock.setTimeout(() => {
          timer = undefined;
          if (settled || (options.shouldHedge && !options.shouldHedge())) return;
          launch();
        }, delayMs);
      }
    };

    outer?.addEventListener('abort', onAbort, { once: true });
    launch();
  });
}

function lostReason(loser: number, winner: number): OutlastError {
  return new OutlastError({
    kind: 'cancelled',
    code: SPECIFIC_CODES.HEDGE_LOST,
    retryable: false,
    message: `hedged attempt #${loser} lost the race to attempt #${winner}`,
  });
}
