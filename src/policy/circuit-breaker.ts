import {
  type BreakerEvidence,
  countOutcome,
  type EvidenceRules,
  evidenceToOpen,
} from './breaker-evidence.ts';
import {
  type BreakerState,
  type BreakerStateName,
  type BreakerStore,
  createMemoryBreakerStore,
} from './breaker-store.ts';
import { checkNumber } from './check-option.ts';
import { type Clock, realClock } from './clock.ts';
import type { WindowShape } from './sliding-window.ts';

export interface CircuitBreakerOptions {
  /** Store key: one breaker per target (`anthropic/claude-sonnet-4-5`). Default `default`. */
  key?: string;
  /** Default: a private in-memory store. */
  store?: BreakerStore;
  clock?: Clock;
  /** Opens after this many failures in a row (spanning `minimumSpanMs`); default 5. */
  consecutiveFailures?: number;
  /** Opens when failed / all attempts in the window reach this; default 0.5. */
  failureRate?: number;
  /** ...but only once the window holds at least this many distinct calls (retries are not calls); default 10. */
  minimumCalls?: number;
  /**
   * The failures that open the breaker (a run in a row, or those in the window) must span at
   * least this long, first to last, so a burst from one moment never opens it; default 1000 ms.
   * See breaker-evidence.ts for why.
   */
  minimumSpanMs?: number;
  /** The failure-rate window; default 30 000 ms. */
  windowMs?: number;
  /** First cooldown before a probe; default 5000 ms. */
  cooldownMs?: number;
  /** Cooldown growth on each failed probe; default 2. */
  cooldownMultiplier?: number;
  /** Default 60 000 ms. */
  maxCooldownMs?: number;
  /** Probes admitted at once when half-open; default 1. */
  halfOpenMaxProbes?: number;
  /** Cooldown when the failure that opens the breaker is auth-like; default `maxCooldownMs`. */
  longCooldownMs?: number;
}

export type BreakerOutcome = 'success' | 'failure' | 'ignored';

export type BreakerPermit =
  | {
      readonly allowed: true;
      /** True when this call is a half-open probe: its outcome closes or re-opens the breaker. */
      readonly probe: boolean;
      /** Report the outcome once; `ignored` for outcomes that say nothing of the target's health. */
      release(outcome: BreakerOutcome, options?: { longCooldown?: boolean }): void;
    }
  | ({ readonly allowed: false; readonly retryAtMs: number } & Partial<BreakerOpening>);

/** Why a breaker is refusing calls: since when, and the evidence that opened it. */
export interface BreakerOpening {
  /** When this open episode began (epoch ms), kept through half-open and failed probes. */
  readonly openedAt: number;
  /** The failures that opened it; absent when another instance opened it and did not say. */
  readonly evidence?: BreakerEvidence;
  /** `half_open`: a probe is in flight and the others wait for it. */
  readonly state: 'open' | 'half_open';
  /** When the next probe may go. */
  readonly retryAtMs: number;
}

export interface AcquireOptions {
  /**
   * This attempt retries a call that already tried this target: its outcome counts for the
   * failure rate, but it is not another distinct call for `minimumCalls`.
   */
  readonly retry?: boolean;
}

export type BreakerTransitionReason =
  | 'consecutive_failures'
  | 'failure_rate'
  | 'cooldown_elapsed'
  | 'probe_succeeded'
  | 'probe_failed'
  | 'reset'
  /** Another instance sharing the store changed the state. */
  | 'remote';

export interface BreakerStateChange {
  readonly key: string;
  readonly from: BreakerStateName;
  readonly to: BreakerStateName;
  readonly reason: BreakerTransitionReason;
  /** The cooldown now in force (on opening: how long until a probe). */
  readonly cooldownMs: number;
  readonly at: number;
  readonly retryAt?: number;
  /** On opening (and re-opening after a failed probe): the episode's start and what opened it. */
  readonly openedAt?: number;
  readonly evidence?: BreakerEvidence;
}

export interface CircuitBreaker {
  readonly key: string;
  acquire(options?: AcquireOptions): BreakerPermit;
  state(): BreakerStateName;
  openedAt(): number | undefined;
  /** Why calls are refused, while open or half-open; undefined while closed. */
  opening(): BreakerOpening | undefined;
  retryAt(): number | undefined;
  /** The shared state plus this instance's probes in flight. */
  snapshot(): BreakerState & { readonly probesInFlight: number };
  onStateChange(listener: (change: BreakerStateChange) => void): () => void;
  /** Forces the breaker closed with a fresh window (an operator's override). */
  reset(): void;
  /** Stops listening to the store. */
  dispose(): void;
}

export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const key = options.key ?? 'default';
  const store = options.store ?? createMemoryBreakerStore();
  const clock = options.clock ?? realClock;
  const consecutiveLimit = checkNumber('consecutiveFailures', options.consecutiveFailures ?? 5, {
    min: 1,
    integer: true,
  });
  const failureRate = checkNumber('failureRate', options.failureRate ?? 0.5, {
    min: Number.MIN_VALUE,
    max: 1,
  });
  const minimumCalls = checkNumber('minimumCalls', options.minimumCalls ?? 10, { min: 1, integer: true });
  const shape: WindowShape = {
    windowMs: checkNumber('windowMs', options.windowMs ?? 30_000, { min: 1 }),
    buckets: 10,
  };
  const rules: EvidenceRules = {
    consecutiveFailures: consecutiveLimit,
    failureRate,
    minimumCalls,
    minimumSpanMs: checkNumber('minimumSpanMs', options.minimumSpanMs ?? 1000),
    shape,
  };
  const baseCooldown = checkNumber('cooldownMs', options.cooldownMs ?? 5000);
  const multiplier = checkNumber('cooldownMultiplier', options.cooldownMultiplier ?? 2, { min: 1 });
  const maxCooldown = checkNumber('maxCooldownMs', options.maxCooldownMs ?? 60_000, { min: baseCooldown });
  const maxProbes = checkNumber('halfOpenMaxProbes', options.halfOpenMaxProbes ?? 1, {
    min: 1,
    integer: true,
  });
  const longCooldown = checkNumber('longCooldownMs', options.longCooldownMs ?? maxCooldown);

  const listeners = new Set<(change: BreakerStateChange) => void>();
  // Probes this instance let through in the current half-open epoch: token → when its slot re-arms.
  const probes = new Map<symbol, number>();
  let probeEpoch = -1;

  const fresh = (now: number, epoch: number): BreakerState => ({
    state: 'closed',
    epoch,
    consecutiveFailures: 0,
    window: [],
    cooldownMs: baseCooldown,
    updatedAt: now,
  });

  let lastKnown: BreakerState = store.get(key) ?? fresh(clock.now(), 0);

  const emit = (from: BreakerStateName, next: BreakerState, reason: BreakerTransitionReason) => {
    const change: BreakerStateChange = {
      key,
      from,
      to: next.state,
      reason,
      cooldownMs: next.cooldownMs,
      at: next.updatedAt,
      ...(next.retryAt === undefined ? {} : { retryAt: next.retryAt }),
      ...(next.state === 'open' && next.openedAt !== undefined ? { openedAt: next.openedAt } : {}),
      ...(next.state === 'open' && next.openedBy ? { evidence: next.openedBy } : {}),
    };
    for (const listener of [...listeners]) listener(change);
  };

  /** Notices a state another instance wrote, so its transition is still an event here. */
  const observe = (seen: BreakerState) => {
    const before = lastKnown;
    lastKnown = seen;
    if (seen.state !== before.state) emit(before.state, { ...seen, updatedAt: clock.now() }, 'remote');
  };

  const write = (next: BreakerState, reason?: BreakerTransitionReason) => {
    const from = lastKnown.state;
    lastKnown = next;
    store.set(key, next);
    if (reason) emit(from, next, reason);
  };

  const unsubscribe = store.subscribe?.((changedKey, state) => {
    if (changedKey === key && state !== lastKnown) observe(state);
  });

  /** The current state, moving open → half-open once the cooldown has passed. */
  const read = (): BreakerState => {
    const stored = store.get(key);
    if (stored && stored !== lastKnown) observe(stored);
    const current = stored ?? lastKnown;
    const now = clock.now();
    if (current.state === 'open' && now >= (current.retryAt ?? 0)) {
      const next: BreakerState = {
        ...current,
        state: 'half_open',
        epoch: current.epoch + 1,
        retryAt: undefined,
        updatedAt: now,
      };
      write(next, 'cooldown_elapsed');
      return next;
    }
    return current;
  };

  const open = (
    current: BreakerState,
    cooldownMs: number,
    reason: BreakerTransitionReason,
    now: number,
    evidence?: BreakerEvidence,
  ): void => {
    const openedBy = evidence ?? current.openedBy;
    write(
      {
        state: 'open',
        epoch: current.epoch + 1,
        consecutiveFailures: current.consecutiveFailures,
        window: [],
        openedAt: current.state === 'closed' ? now : (current.openedAt ?? now),
        ...(openedBy ? { openedBy } : {}),
        retryAt: now + cooldownMs,
        cooldownMs,
        updatedAt: now,
      },
      reason,
    );
  };

  const livingProbes = (state: BreakerState, now: number) => {
    if (probeEpoch !== state.epoch) {
      probes.clear();
      probeEpoch = state.epoch;
    }
    // A probe that never reported back frees its slot after a cooldown: a hung call cannot wedge half-open.
    for (const [token, rearmAt] of probes) if (now >= rearmAt) probes.delete(token);
    return probes;
  };

  const releaseClosed = (epoch: number, outcome: BreakerOutcome, long: boolean, isCall: boolean) => {
    const current = read();
    if (current.state !== 'closed' || current.epoch !== epoch || outcome === 'ignored') return;
    const now = clock.now();
    const window = countOutcome(current.window, shape, now, outcome, isCall);
    if (outcome === 'success') {
      const { runStartedAt: _ended, ...rest } = current;
      write({ ...rest, consecutiveFailures: 0, window, updatedAt: now });
      return;
    }
    const consecutiveFailures = current.consecutiveFailures + 1;
    const runStartedAt = current.consecutiveFailures === 0 ? now : (current.runStartedAt ?? now);
    const counted: BreakerState = { ...current, consecutiveFailures, runStartedAt, window, updatedAt: now };
    const evidence = evidenceToOpen(
      rules,
      { failures: consecutiveFailures, startedAt: runStartedAt },
      window,
      now,
    );
    if (!evidence) return write(counted);
    open(counted, long ? longCooldown : baseCooldown, evidence.reason, now, evidence);
  };

  const releaseProbe = (epoch: number, token: symbol, outcome: BreakerOutcome, long: boolean) => {
    const current = read();
    // A late report from a probe whose slot was re-armed, or from an earlier episode, decides nothing.
    if (current.state !== 'half_open' || current.epoch !== epoch || !probes.delete(token)) return;
    if (outcome === 'ignored') return;
    const now = clock.now();
    if (outcome === 'success') {
      write(fresh(now, current.epoch + 1), 'probe_succeeded');
      return;
    }
    const grown = Math.min(maxCooldown, current.cooldownMs * multiplier);
    open(current, long ? Math.max(grown, longCooldown) : grown, 'probe_failed', now);
  };

  const openingOf = (current: BreakerState, retryAtMs: number): Partial<BreakerOpening> =>
    current.state === 'closed' || current.openedAt === undefined
      ? {}
      : {
          openedAt: current.openedAt,
          state: current.state,
          retryAtMs,
          ...(current.openedBy ? { evidence: current.openedBy } : {}),
        };

  const once = (fn: (outcome: BreakerOutcome, long: boolean) => void) => {
    let done = false;
    return (outcome: BreakerOutcome, releaseOptions?: { longCooldown?: boolean }) => {
      if (done) return;
      done = true;
      fn(outcome, releaseOptions?.longCooldown === true);
    };
  };

  const breaker: CircuitBreaker = {
    key,
    acquire(acquireOptions) {
      const current = read();
      const now = clock.now();
      if (current.state === 'closed') {
        const epoch = current.epoch;
        const isCall = acquireOptions?.retry !== true;
        return {
          allowed: true,
          probe: false,
          release: once((o, l) => releaseClosed(epoch, o, l, isCall)),
        };
      }
      if (current.state === 'open') {
        const retryAtMs = current.retryAt ?? now;
        return { allowed: false, retryAtMs, ...openingOf(current, retryAtMs) };
      }
      const inFlight = livingProbes(current, now);
      if (inFlight.size >= maxProbes) {
        const retryAtMs = Math.min(...inFlight.values());
        return { allowed: false, retryAtMs, ...openingOf(current, retryAtMs) };
      }
      const token = Symbol('probe');
      inFlight.set(token, now + current.cooldownMs);
      const epoch = current.epoch;
      return { allowed: true, probe: true, release: once((o, l) => releaseProbe(epoch, token, o, l)) };
    },
    state: () => read().state,
    openedAt: () => read().openedAt,
    opening() {
      const current = read();
      if (current.state === 'closed') return undefined;
      const now = clock.now();
      const probes = current.state === 'half_open' ? livingProbes(current, now) : undefined;
      const retryAtMs =
        probes === undefined
          ? (current.retryAt ?? now)
          : probes.size >= maxProbes
            ? Math.min(...probes.values())
            : now;
      const found = openingOf(current, retryAtMs);
      return found.openedAt === undefined ? undefined : (found as BreakerOpening);
    },
    retryAt: () => read().retryAt,
    snapshot() {
      const current = read();
      const probesInFlight = current.state === 'half_open' ? livingProbes(current, clock.now()).size : 0;
      return { ...current, probesInFlight };
    },
    onStateChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    reset() {
      const current = read();
      if (current.state === 'closed' && current.consecutiveFailures === 0 && current.window.length === 0)
        return;
      write(fresh(clock.now(), current.epoch + 1), current.state === 'closed' ? undefined : 'reset');
    },
    dispose() {
      unsubscribe?.();
      listeners.clear();
    },
  };
  return breaker;
}
