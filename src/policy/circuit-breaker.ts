import {
  type BreakerState,
  type BreakerStateName,
  type BreakerStore,
  createMemoryBreakerStore,
} from './breaker-store.ts';
import { checkNumber } from './check-option.ts';
import { type Clock, realClock } from './clock.ts';
import { countInWindow, sumWindow, type WindowShape } from './sliding-window.ts';

export interface CircuitBreakerOptions {
  /** Store key: one breaker per target (`anthropic/claude-sonnet-4-5`). Default `default`. */
  key?: string;
  /** Default: a private in-memory store. */
  store?: BreakerStore;
  clock?: Clock;
  /** Opens after this many failures in a row; default 5. */
  consecutiveFailures?: number;
  /** Opens when failures / calls in the window reach this; default 0.5. */
  failureRate?: number;
  /** ...but only once the window holds at least this many calls; default 10. */
  minimumCalls?: number;
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
  | { readonly allowed: false; readonly retryAtMs: number };

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
}

export interface CircuitBreaker {
  readonly key: string;
  acquire(): BreakerPermit;
  state(): BreakerStateName;
  openedAt(): number | undefined;
  retryAt(): number | undefined;
  /** The shared state plus this instance's probes in flight. */
  snapshot(): BreakerState & { readonly probesInFlight: number };
  onStateChange(listener: (change: BreakerStateChange) => void): () => void;
  /** Forces the breaker closed with a fresh window (an operator's override). */
  reset(): void;
  /** Stops listening to the store. */
  dispose(): void;
}

type Counted = 'successes' | 'failures';
const ZERO: Readonly<Record<Counted, number>> = { successes: 0, failures: 0 };

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
  ): void => {
    write(
      {
        state: 'open',
        epoch: current.epoch + 1,
        consecutiveFailures: current.consecutiveFailures,
        window: [],
        openedAt: current.state === 'closed' ? now : (current.openedAt ?? now),
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

  const releaseClosed = (epoch: number, outcome: BreakerOutcome, long: boolean) => {
    const current = read();
    if (current.state !== 'closed' || current.epoch !== epoch || outcome === 'ignored') return;
    const now = clock.now();
    if (outcome === 'success') {
      write({
        ...current,
        consecutiveFailures: 0,
        window: countInWindow(current.window, shape, now, 'successes', ZERO),
        updatedAt: now,
      });
      return;
    }
    const window = countInWindow(current.window, shape, now, 'failures', ZERO);
    const consecutiveFailures = current.consecutiveFailures + 1;
    const counted = { ...current, consecutiveFailures, window, updatedAt: now };
    const cooldown = long ? longCooldown : baseCooldown;
    if (consecutiveFailures >= consecutiveLimit) return open(counted, cooldown, 'consecutive_failures', now);
    const { successes, failures } = sumWindow(window, shape, now, ZERO);
    const calls = successes + failures;
    if (calls >= minimumCalls && failures / calls >= failureRate)
      return open(counted, cooldown, 'failure_rate', now);
    write(counted);
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
    acquire() {
      const current = read();
      const now = clock.now();
      if (current.state === 'closed') {
        const epoch = current.epoch;
        return { allowed: true, probe: false, release: once((o, l) => releaseClosed(epoch, o, l)) };
      }
      if (current.state === 'open') return { allowed: false, retryAtMs: current.retryAt ?? now };
      const inFlight = livingProbes(current, now);
      if (inFlight.size >= maxProbes) {
        return { allowed: false, retryAtMs: Math.min(...inFlight.values()) };
      }
      const token = Symbol('probe');
      inFlight.set(token, now + current.cooldownMs);
      const epoch = current.epoch;
      return { allowed: true, probe: true, release: once((o, l) => releaseProbe(epoch, token, o, l)) };
    },
    state: () => read().state,
    openedAt: () => read().openedAt,
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
