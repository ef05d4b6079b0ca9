import { checkNumber } from './check-option.ts';
import type { ServerHint } from './retry-after.ts';

export type Jitter = 'full' | 'equal' | 'decorrelated' | 'none';

export interface BackoffOptions {
  /** Default `full` (the best trade-off between calls and time in Brooker's simulations). */
  jitter?: Jitter;
  /** First delay before jitter; default 500 ms. */
  baseMs?: number;
  /** No delay exceeds this; default 8000 ms. */
  capMs?: number;
  /** Growth per attempt; default 2. */
  factor?: number;
}

/**
 * An immutable backoff state: `next` returns the delay and the state after it, so one
 * configured backoff serves any number of concurrent calls.
 */
export interface Backoff {
  /** Delays drawn so far. */
  readonly attempt: number;
  readonly options: Readonly<Required<BackoffOptions>>;
  /** `random` returns a number in [0, 1); injectable so tests are deterministic. */
  next(random?: () => number): { delayMs: number; backoff: Backoff };
}

const JITTERS: readonly Jitter[] = ['full', 'equal', 'decorrelated', 'none'];

export function createBackoff(options: BackoffOptions = {}): Backoff {
  const jitter = options.jitter ?? 'full';
  if (!JITTERS.includes(jitter))
    throw new RangeError(`jitter must be one of ${JITTERS.join(', ')}, got ${String(jitter)}`);
  const baseMs = checkNumber('baseMs', options.baseMs ?? 500);
  const capMs = checkNumber('capMs', options.capMs ?? 8000, { min: baseMs });
  const factor = checkNumber('factor', options.factor ?? 2, { min: 1 });
  return state(Object.freeze({ jitter, baseMs, capMs, factor }), 0, baseMs);
}

/** Clamps a random draw into [0, 1) so a bad source cannot break the bounds. */
const draw = (random: () => number) => {
  const r = random();
  return Number.isFinite(r) ? Math.min(Math.max(r, 0), 1 - Number.EPSILON) : 0;
};

function state(options: Readonly<Required<BackoffOptions>>, attempt: number, previousMs: number): Backoff {
  return {
    attempt,
    options,
    next(random = Math.random) {
      const { jitter, baseMs, capMs, factor } = options;
      const ceiling = Math.min(capMs, baseMs * factor ** attempt);
      let delayMs: number;
      switch (jitter) {
        case 'none':
          delayMs = ceiling;
          break;
        case 'full':
          delayMs = draw(random) * ceiling;
          break;
        case 'equal':
          delayMs = ceiling / 2 + (draw(random) * ceiling) / 2;
          break;
        case 'decorrelated': {
          // Brooker: sleep = min(cap, random_between(base, 3 * previous sleep)).
          const upper = Math.max(baseMs, previousMs * 3);
          delayMs = Math.min(capMs, baseMs + draw(random) * (upper - baseMs));
          break;
        }
      }
      return { delayMs, backoff: state(options, attempt + 1, delayMs) };
    },
  };
}

export type RetryWaitPlan =
  | { kind: 'wait'; delayMs: number; source: 'hint' | 'backoff'; next: Backoff }
  | {
      kind: 'do_not_wait';
      reason: 'hint_exceeds_deadline' | 'hint_exceeds_cap' | 'server_said_no' | 'backoff_exceeds_deadline';
      /** The wait that was refused, when there was one (the engine may cool the target until then). */
      delayMs?: number;
    };

export interface PlanRetryWaitInput {
  backoff: Backoff;
  hint?: ServerHint;
  /** Time left before the call's deadline; Infinity when none. */
  remainingMs: number;
  /** Longest server hint honoured here; default 60 000 ms. */
  maxHintMs?: number;
  random?: () => number;
}

/**
 * How long to wait before retrying the same target, or that we should not wait here at all
 * (the engine then falls back instead). Server hints come first; a wait that would end at or
 * after the deadline is never planned, since the attempt after it could not run.
 */
export function planRetryWait(input: PlanRetryWaitInput): RetryWaitPlan {
  const { backoff, hint, remainingMs, maxHintMs = 60_000, random = Math.random } = input;
  if (hint?.shouldRetry === false) return { kind: 'do_not_wait', reason: 'server_said_no' };
  const drawn = backoff.next(random);
  const hinted = hint?.retryAfterMs;
  if (hinted !== undefined) {
    if (hinted > maxHintMs) return { kind: 'do_not_wait', reason: 'hint_exceeds_cap', delayMs: hinted };
    if (hinted >= remainingMs)
      return { kind: 'do_not_wait', reason: 'hint_exceeds_deadline', delayMs: hinted };
    return { kind: 'wait', delayMs: hinted, source: 'hint', next: drawn.backoff };
  }
  if (drawn.delayMs >= remainingMs) {
    return { kind: 'do_not_wait', reason: 'backoff_exceeds_deadline', delayMs: drawn.delayMs };
  }
  return { kind: 'wait', delayMs: drawn.delayMs, source: 'backoff', next: drawn.backoff };
}
