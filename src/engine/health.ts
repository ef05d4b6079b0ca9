/**
 * What the engine remembers about targets across calls: breakers per target and per provider,
 * cooldowns from rate-limit hints, which targets reject a prefill, and recent latencies and
 * outcomes for /status. State for targets the configuration does not name is kept for the
 * most recently used few only (recent-targets.ts).
 */
import type { ErrorKind } from '../errors/index.ts';
import {
  type BreakerOpening,
  type BreakerStateName,
  type BreakerStore,
  type CircuitBreaker,
  type Clock,
  type CooldownStore,
  type Cooldowns,
  createCircuitBreaker,
  createCooldowns,
  createMemoryBreakerStore,
} from '../policy/index.ts';
import type { EventHub, SkipReason } from './events.ts';
import { createRecentTargets } from './recent-targets.ts';
import type { TargetRef } from './routes.ts';
import type { EngineSettings } from './settings.ts';

export type TargetPermit =
  | {
      readonly allowed: true;
      readonly probe: boolean;
      /**
       * The first attempt on the target since a cooldown of ours on it ended: the others wait for
       * what it learns (`settlePacing`) instead of going at a limit that has just reset, together.
       */
      readonly pacing: boolean;
      /** Reports the attempt's outcome to both breakers, once. */
      release(outcome: 'success' | 'failure' | 'ignored', kind?: ErrorKind, longCooldown?: boolean): void;
      /**
       * For a pacing attempt, what it learned, once (later calls are ignored; a no-op otherwise):
       * `coolUntilMs` when it was rate-limited again with a hint, nothing when the limit has passed
       * (an answer began) or it failed for another reason.
       */
      settlePacing(coolUntilMs?: number): void;
    }
  | {
      readonly allowed: false;
      readonly reason: SkipReason;
      readonly retryAtMs: number;
      /** For a breaker's refusal: since when it is open and the failures that opened it. */
      readonly breaker?: BreakerOpening;
      /** For a cooldown's: the failure kind that cooled the target (`rate_limited`, `quota_exceeded`). */
      readonly cooledBy?: string;
      /**
       * Set when another call's pacing attempt holds the target: resolves with its verdict, the
       * end of a new cooldown or undefined when the target is free again.
       */
      readonly pacingVerdict?: Promise<number | undefined>;
    };

export interface TargetStatus {
  readonly key: string;
  readonly provider: string;
  readonly model: string;
  readonly breaker: BreakerStateName;
  readonly providerBreaker: BreakerStateName;
  readonly breakerRetryAt?: number;
  readonly cooldownUntil?: number;
  readonly latencyMs: { p50?: number; p95?: number; p99?: number };
  /** Share of successful attempts among the last ones recorded; undefined before any. */
  readonly successRate?: number;
  readonly recentAttempts: number;
  readonly recentFailures: ReadonlyArray<{ at: number; kind: ErrorKind; status?: number; message: string }>;
  readonly acceptsPrefill?: boolean;
}

// Failures that can only be the provider's (its key, its network): they count for the
// provider's breaker at once.
const PROVIDER_WIDE: ReadonlySet<ErrorKind> = new Set(['network', 'auth', 'permission']);
// Failures that may be one model's trouble (Anthropic's 529s are often per model): they count
// for the provider only when more than one of its models is failing, so one overloaded model
// never opens the provider and blocks its sibling, the natural fallback.
const MODEL_OR_PROVIDER: ReadonlySet<ErrorKind> = new Set([
  'overloaded',
  'server',
  'timeout',
  'stream_interrupted',
  'invalid_response',
]);
const DEFAULT_SPREAD_WINDOW_MS = 30_000;

const RING = 100;
const RECENT_FAILURES = 5;

interface Stats {
  latencies: number[];
  outcomes: boolean[];
  failures: Array<{ at: number; kind: ErrorKind; status?: number; message: string }>;
  lastFailureAt?: number;
}

export interface Health {
  /**
   * A permit to try the target now. `ignoreCooldown`: the caller has already waited what the
   * server asked of it, so a cooldown other calls extended meanwhile does not hold it back.
   */
  acquire(target: TargetRef, options?: { ignoreCooldown?: boolean; retry?: boolean }): TargetPermit;
  /**
   * When the target can take an attempt, without taking a permit: now when nothing holds it back,
   * the end of its cooldown when cooling, undefined while a breaker is open.
   */
  readyAt(target: TargetRef, now: number): number | undefined;
  coolUntil(key: string, untilMs: number, reason: string): void;
  /** When the target last failed; undefined if never (the "failed longest ago" choice). */
  lastFailureAt(key: string): number | undefined;
  record(
    target: TargetRef,
    result:
      | { ok: true; latencyMs: number }
      | { ok: false; kind: ErrorKind; status?: number; message: string },
  ): void;
  /** Learned from a rejection: this target does not take an assistant prefill. */
  markPrefillRejected(key: string): void;
  acceptsPrefill(key: string): boolean | undefined;
  status(targets: readonly TargetRef[]): TargetStatus[];
  /** Targets attempted so far (a call may name one no route lists; of those, the most recent few). */
  seen(): TargetRef[];
  /** How many targets have state of each kind (for tests and leak checks). */
  sizes(): { breakers: number; stats: number; prefill: number; seen: number; inFlight: number };
  dispose(): void;
}

/** A refused breaker permit's account of why, when it gave one. */
function openingOf(refusal: { retryAtMs: number } & Partial<BreakerOpening>): { breaker?: BreakerOpening } {
  if (refusal.openedAt === undefined || refusal.state === undefined) return {};
  return {
    breaker: {
      openedAt: refusal.openedAt,
      state: refusal.state,
      retryAtMs: refusal.retryAtMs,
      ...(refusal.evidence ? { evidence: refusal.evidence } : {}),
    },
  };
}

function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function createHealth(
  settings: EngineSettings,
  hub: EventHub,
  deps: {
    clock: Clock;
    breakerStore?: BreakerStore;
    cooldownStore?: CooldownStore;
    /** Whether the configuration names the target; the others' state is bounded. Default: all are named. */
    isConfigured?: (key: string) => boolean;
  },
): Health {
  const { clock } = deps;
  const store = deps.breakerStore ?? createMemoryBreakerStore();
  const cooldowns: Cooldowns = createCooldowns(clock, deps.cooldownStore);
  const breakers = new Map<string, CircuitBreaker>();
  // Targets we cooled whose next attempt has not been made yet: that attempt paces the others.
  const recovering = new Set<string>();
  // Target → the verdict of its pacing attempt in flight.
  const pacers = new Map<string, Promise<number | undefined>>();
  const stats = new Map<string, Stats>();
  const prefill = new Map<string, boolean>();
  const seen = new Map<string, TargetRef>();
  // provider → model key → when it last failed in a way that may be the provider's.
  const failingModels = new Map<string, Map<string, number>>();
  const isConfigured = deps.isConfigured ?? (() => true);
  const recent = createRecentTargets();
  // Permits given and not yet released, per target: a target in use is not forgotten.
  const inFlight = new Map<string, number>();
  const spreadWindowMs =
    (settings.breaker === false ? undefined : settings.breaker.windowMs) ?? DEFAULT_SPREAD_WINDOW_MS;

  /** Whether a target's failure is evidence against its whole provider. */
  const countsForProvider = (target: TargetRef, kind: ErrorKind): boolean => {
    if (PROVIDER_WIDE.has(kind)) return true;
    if (!MODEL_OR_PROVIDER.has(kind)) return false;
    const now = clock.now();
    let models = failingModels.get(target.provider);
    if (!models) {
      models = new Map();
      failingModels.set(target.provider, models);
    }
    models.set(target.key, now);
    for (const [key, at] of models) if (now - at > spreadWindowMs) models.delete(key);
    return models.size >= 2;
  };

  const breaker = (key: string): CircuitBreaker | undefined => {
    if (settings.breaker === false) return undefined;
    let b = breakers.get(key);
    if (!b) {
      b = createCircuitBreaker({ ...settings.breaker, key, store, clock });
      b.onStateChange((c) => hub.emit({ type: 'breaker', key: c.key, from: c.from, to: c.to, at: c.at }));
      breakers.set(key, b);
    }
    return b;
  };
  const statsOf = (key: string): Stats => {
    let s = stats.get(key);
    if (!s) {
      s = { latencies: [], outcomes: [], failures: [] };
      stats.set(key, s);
    }
    return s;
  };
  /** Forgets a target the configuration does not name (only what this engine owns; shared stores keep theirs). */
  const forget = (key: string) => {
    breakers.get(key)?.dispose();
    breakers.delete(key);
    if (!deps.breakerStore) store.delete?.(key);
    if (!deps.cooldownStore) cooldowns.clear(key);
    stats.delete(key);
    prefill.delete(key);
    seen.delete(key);
    recovering.delete(key);
    for (const models of failingModels.values()) models.delete(key);
  };
  /** The target is in use now; an unconfigured one may push the least recently used out. */
  const touch = (key: string) => {
    if (isConfigured(key)) return;
    for (const old of recent.touch(key, (k) => inFlight.has(k) || pacers.has(k))) forget(old);
  };
  const push = <T>(list: T[], value: T, max: number) => {
    list.push(value);
    if (list.length > max) list.shift();
  };

  return {
    acquire(target, options) {
      touch(target.key);
      const pacingVerdict = pacers.get(target.key);
      if (pacingVerdict)
        return { allowed: false, reason: 'cooling_down', retryAtMs: clock.now(), pacingVerdict };
      const cooling = options?.ignoreCooldown ? undefined : cooldowns.isCooling(target.key);
      if (cooling)
        return {
          allowed: false,
          reason: 'cooling_down',
          retryAtMs: cooling.untilMs,
          cooledBy: cooling.reason,
        };
      const providerBreaker = breaker(target.provider);
      const targetBreaker = breaker(target.key);
      // A call's retry on the same target adds an attempt to the failure rate, not another distinct call.
      const acquireOptions = { retry: options?.retry === true };
      const p = providerBreaker?.acquire(acquireOptions) ?? {
        allowed: true as const,
        probe: false,
        release() {},
      };
      if (!p.allowed)
        return { allowed: false, reason: 'provider_breaker_open', retryAtMs: p.retryAtMs, ...openingOf(p) };
      const t = targetBreaker?.acquire(acquireOptions) ?? {
        allowed: true as const,
        probe: false,
        release() {},
      };
      if (!t.allowed) {
        p.release('ignored');
        return { allowed: false, reason: 'breaker_open', retryAtMs: t.retryAtMs, ...openingOf(t) };
      }
      const pacing = recovering.delete(target.key);
      let settlePacing: (coolUntilMs?: number) => void = () => {};
      if (pacing) {
        let resolve: (coolUntilMs: number | undefined) => void = () => {};
        pacers.set(
          target.key,
          new Promise<number | undefined>((r) => {
            resolve = r;
          }),
        );
        settlePacing = (coolUntilMs) => {
          settlePacing = () => {};
          pacers.delete(target.key);
          resolve(coolUntilMs);
        };
      }
      inFlight.set(target.key, (inFlight.get(target.key) ?? 0) + 1);
      let released = false;
      return {
        allowed: true,
        probe: p.probe || t.probe,
        pacing,
        settlePacing: (coolUntilMs) => settlePacing(coolUntilMs),
        release(outcome, kind, longCooldown) {
          if (!released) {
            released = true;
            const left = (inFlight.get(target.key) ?? 1) - 1;
            if (left > 0) inFlight.set(target.key, left);
            else inFlight.delete(target.key);
          }
          const opts = { longCooldown: longCooldown === true };
          t.release(outcome, opts);
          const providerOutcome =
            outcome === 'failure' && (kind === undefined || !countsForProvider(target, kind))
              ? 'ignored'
              : outcome;
          p.release(providerOutcome, opts);
        },
      };
    },
    readyAt(target, now) {
      touch(target.key);
      if (breaker(target.provider)?.state() === 'open' || breaker(target.key)?.state() === 'open')
        return undefined;
      return cooldowns.isCooling(target.key)?.untilMs ?? now;
    },
    coolUntil(key, untilMs, reason) {
      touch(key);
      const before = cooldowns.isCooling(key)?.untilMs;
      cooldowns.coolUntil(key, untilMs, reason);
      const after = cooldowns.isCooling(key)?.untilMs;
      if (after !== undefined) recovering.add(key);
      if (after !== undefined && after !== before)
        hub.emit({ type: 'cooldown', key, untilMs: after, reason });
    },
    lastFailureAt: (key) => stats.get(key)?.lastFailureAt,
    record(target, result) {
      touch(target.key);
      seen.set(target.key, target);
      const s = statsOf(target.key);
      push(s.outcomes, result.ok, RING);
      if (result.ok) {
        push(s.latencies, result.latencyMs, RING);
        return;
      }
      const at = clock.now();
      s.lastFailureAt = at;
      push(
        s.failures,
        {
          at,
          kind: result.kind,
          ...(result.status === undefined ? {} : { status: result.status }),
          message: result.message,
        },
        RECENT_FAILURES,
      );
    },
    markPrefillRejected(key) {
      touch(key);
      prefill.set(key, false);
    },
    acceptsPrefill: (key) => prefill.get(key),
    status(targets) {
      return targets.map((target) => {
        const s = stats.get(target.key);
        const sorted = [...(s?.latencies ?? [])].sort((a, b) => a - b);
        const outcomes = s?.outcomes ?? [];
        const retryAt = breaker(target.key)?.retryAt();
        const cooling = cooldowns.isCooling(target.key);
        const accepts = prefill.get(target.key);
        return {
          key: target.key,
          provider: target.provider,
          model: target.model,
          breaker: breaker(target.key)?.state() ?? 'closed',
          providerBreaker: breaker(target.provider)?.state() ?? 'closed',
          ...(retryAt === undefined ? {} : { breakerRetryAt: retryAt }),
          ...(cooling ? { cooldownUntil: cooling.untilMs } : {}),
          latencyMs: {
            p50: percentile(sorted, 50),
            p95: percentile(sorted, 95),
            p99: percentile(sorted, 99),
          },
          ...(outcomes.length === 0
            ? {}
            : { successRate: outcomes.filter(Boolean).length / outcomes.length }),
          recentAttempts: outcomes.length,
          recentFailures: [...(s?.failures ?? [])],
          ...(accepts === undefined ? {} : { acceptsPrefill: accepts }),
        };
      });
    },
    seen: () => [...seen.values()],
    sizes: () => ({
      breakers: breakers.size,
      stats: stats.size,
      prefill: prefill.size,
      seen: seen.size,
      inFlight: inFlight.size,
    }),
    dispose() {
      for (const b of breakers.values()) b.dispose();
      breakers.clear();
    },
  };
}
