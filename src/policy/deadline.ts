import { OutlastError, targetLabel, timeoutCode } from '../errors/index.ts';
import { type Clock, realClock, type TimerHandle } from './clock.ts';

/** Per-attempt phase budgets in ms; `undefined` means no limit for that phase. */
export interface PhaseBudgets {
  connect?: number;
  headers?: number;
  firstToken?: number;
  idle?: number;
  total?: number;
}

export type AttemptPhase = 'connect' | 'headers' | 'first_token' | 'idle';

export interface Deadline {
  /**
   * Aborts when the caller's signal aborts (reason: OutlastError `cancelled`, cause = the
   * caller's reason) or at the deadline (reason: OutlastError `timeout`, phase `deadline`).
   */
  readonly signal: AbortSignal;
  /** Epoch ms; Infinity when there is no deadline. */
  readonly expiresAt: number;
  remainingMs(): number;
  /** A child scope for one attempt, aborted by this deadline or by its own phase budgets. */
  attempt(budgets: PhaseBudgets, target?: { provider?: string; model?: string }): AttemptScope;
  /** Clears the timer, detaches from the caller's signal and disposes attempts still open. */
  dispose(): void;
}

export interface AttemptScope {
  /** Aborts with the parent's reason, a phase's timeout, or the reason given to `abort`. */
  readonly signal: AbortSignal;
  /** The phase running now, if any was entered. */
  readonly phase: AttemptPhase | undefined;
  /** Starts this phase's timer, clearing the previous phase's. `total` runs from creation. */
  enter(phase: AttemptPhase): void;
  /** Content arrived: (re)starts the idle timer, ending the first-token wait if it was running. */
  touch(): void;
  elapsedMs(): number;
  abort(reason: unknown): void;
  /** Clears every timer and detaches from the parent; idempotent; does not abort the signal. */
  dispose(): void;
}

export interface DeadlineOptions {
  clock?: Clock;
  /** The caller's signal: aborting it cancels the whole call. */
  signal?: AbortSignal;
  /** The whole call's budget across retries and fallbacks; no deadline when absent. */
  timeoutMs?: number;
}

const BUDGET_OF: Readonly<Record<AttemptPhase, keyof PhaseBudgets>> = {
  connect: 'connect',
  headers: 'headers',
  first_token: 'firstToken',
  idle: 'idle',
};

/** What each phase's timeout says happened, e.g. "anthropic/claude-x sent no first token within 12000 ms". */
const PHASE_TEXT: Readonly<Record<AttemptPhase | 'total', (limitMs: number) => string>> = {
  connect: (ms) => `could not be connected to within ${ms} ms`,
  headers: (ms) => `sent no response headers within ${ms} ms`,
  first_token: (ms) => `sent no first token within ${ms} ms`,
  idle: (ms) => `went silent mid-stream for ${ms} ms`,
  total: (ms) => `did not finish the attempt within ${ms} ms`,
};

function checkBudget(name: string, value: number | undefined): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new RangeError(
      `${name} must be a number of ms >= 0 (or undefined for no limit), got ${String(value)}`,
    );
  }
}

/** The typed reason of an aborted signal: an OutlastError as is, anything else wrapped as `cancelled`. */
export function abortReason(signal: AbortSignal): OutlastError {
  const reason: unknown = signal.reason;
  if (OutlastError.isInstance(reason)) return reason;
  return new OutlastError({
    kind: 'cancelled',
    message: 'the call was cancelled by the caller',
    cause: reason,
  });
}

export function createDeadline(options: DeadlineOptions = {}): Deadline {
  const clock = options.clock ?? realClock;
  const timeoutMs = options.timeoutMs;
  checkBudget('timeoutMs', timeoutMs);
  const controller = new AbortController();
  const startedAt = clock.now();
  const expiresAt = timeoutMs === undefined ? Number.POSITIVE_INFINITY : startedAt + timeoutMs;
  const scopes = new Set<AttemptScope>();
  let timer: TimerHandle | undefined;
  const callerSignal = options.signal;

  const detach = () => {
    timer?.clear();
    timer = undefined;
    callerSignal?.removeEventListener('abort', onCallerAbort);
  };
  const abortWith = (reason: OutlastError) => {
    detach();
    if (!controller.signal.aborted) controller.abort(reason);
  };
  function onCallerAbort() {
    if (callerSignal) abortWith(abortReason(callerSignal));
  }

  if (callerSignal?.aborted) {
    controller.abort(abortReason(callerSignal));
  } else {
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
      timer = clock.setTimeout(
        () =>
          abortWith(
            new OutlastError({
              kind: 'timeout',
              phase: 'deadline',
              limitMs: timeoutMs,
              code: timeoutCode('deadline'),
              // Nothing can be retried once the whole call's time is spent.
              retryable: false,
              message: `the call's deadline of ${timeoutMs} ms ran out`,
            }),
          ),
        timeoutMs,
      );
    }
  }

  const deadline: Deadline = {
    signal: controller.signal,
    expiresAt,
    remainingMs: () => Math.max(0, expiresAt - clock.now()),
    attempt(budgets, target = {}) {
      const scope = createAttemptScope(clock, controller.signal, budgets, target, () => scopes.delete(scope));
      scopes.add(scope);
      return scope;
    },
    dispose() {
      detach();
      for (const scope of [...scopes]) scope.dispose();
    },
  };
  return deadline;
}

function createAttemptScope(
  clock: Clock,
  parent: AbortSignal,
  budgets: PhaseBudgets,
  target: { provider?: string; model?: string },
  onDispose: () => void,
): AttemptScope {
  for (const key of Object.keys(BUDGET_OF) as AttemptPhase[])
    checkBudget(BUDGET_OF[key], budgets[BUDGET_OF[key]]);
  checkBudget('total', budgets.total);
  const controller = new AbortController();
  const createdAt = clock.now();
  const label = targetLabel(target.provider, target.model);
  let phase: AttemptPhase | undefined;
  let phaseTimer: TimerHandle | undefined;
  let totalTimer: TimerHandle | undefined;
  let disposed = false;

  const phaseError = (which: AttemptPhase | 'total', limitMs: number) =>
    new OutlastError({
      kind: 'timeout',
      phase: which,
      limitMs,
      code: timeoutCode(which),
      provider: target.provider,
      model: target.model,
      message: `${label} ${PHASE_TEXT[which](limitMs)}`,
    });

  const clearTimers = () => {
    phaseTimer?.clear();
    totalTimer?.clear();
    phaseTimer = undefined;
    totalTimer = undefined;
  };
  const detach = () => {
    clearTimers();
    parent.removeEventListener('abort', onParentAbort);
  };
  const abortWith = (reason: unknown) => {
    detach();
    if (!controller.signal.aborted) controller.abort(reason);
  };
  function onParentAbort() {
    abortWith(parent.reason);
  }

  if (parent.aborted) {
    controller.abort(parent.reason);
  } else {
    parent.addEventListener('abort', onParentAbort, { once: true });
    // When the deadline is nearer than the attempt's own total, the parent fires first and the reason says 'deadline'.
    const total = budgets.total;
    if (total !== undefined && Number.isFinite(total)) {
      totalTimer = clock.setTimeout(() => abortWith(phaseError('total', total)), total);
    }
  }

  const live = () => !disposed && !controller.signal.aborted;

  // One phase timer per attempt, not one per phase: entering a phase records when it started
  // and its limit; the armed timer is replaced only when the new phase ends sooner than it
  // fires. A timer that fires early re-arms for what is left of the current phase, so each
  // phase still times out exactly at its own limit (the phases' budgets usually grow:
  // connect < headers < first token < idle). Touching the idle phase only moves its start.
  let phaseFrom = 0;
  let phaseLimit = 0;
  let phaseTimerAt = 0;
  const arm = (at: number, now: number) => {
    phaseTimerAt = at;
    phaseTimer = clock.setTimeout(checkPhase, at - now);
  };
  function checkPhase() {
    phaseTimer = undefined;
    if (!live() || phase === undefined) return;
    const now = clock.now();
    const dueAt = phaseFrom + phaseLimit;
    if (dueAt > now) arm(dueAt, now);
    else abortWith(phaseError(phase, phaseLimit));
  }

  const scope: AttemptScope = {
    signal: controller.signal,
    get phase() {
      return phase;
    },
    enter(next) {
      if (!live()) return;
      if (next === 'idle' && phase === 'idle') {
        phaseFrom = clock.now();
        return;
      }
      const limit = budgets[BUDGET_OF[next]];
      if (limit === undefined || !Number.isFinite(limit)) {
        phaseTimer?.clear();
        phaseTimer = undefined;
        phase = next;
        return;
      }
      const now = clock.now();
      phase = next;
      phaseFrom = now;
      phaseLimit = limit;
      if (phaseTimer !== undefined && phaseTimerAt <= now + limit) return;
      phaseTimer?.clear();
      arm(now + limit, now);
    },
    touch() {
      scope.enter('idle');
    },
    elapsedMs: () => clock.now() - createdAt,
    abort(reason) {
      abortWith(reason);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      detach();
      onDispose();
    },
  };
  return scope;
}
