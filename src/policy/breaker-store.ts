import type { BreakerBucket, BreakerEvidence } from './breaker-evidence.ts';

export type BreakerStateName = 'closed' | 'open' | 'half_open';

/**
 * A breaker's shared state as plain, JSON-serialisable data, so that a store can keep it in
 * memory or in Redis for several gateway instances. What is only local (probes in flight on
 * this instance) is not in here.
 */
export interface BreakerState {
  readonly state: BreakerStateName;
  /** Bumped on every transition: a call's late report from an earlier epoch is ignored. */
  readonly epoch: number;
  readonly consecutiveFailures: number;
  /** While closed: when the current run of consecutive failures began (absent with none). */
  readonly runStartedAt?: number;
  /** Outcomes of recent calls while closed, for the failure rate. */
  readonly window: readonly BreakerBucket[];
  /** When the current open episode started (kept through half-open); absent when closed. */
  readonly openedAt?: number;
  /** What opened the current episode (kept through half-open and failed probes). */
  readonly openedBy?: BreakerEvidence;
  /** When open: the time a probe may be let through. */
  readonly retryAt?: number;
  /** The cooldown of the current or last opening; back to the base once closed. */
  readonly cooldownMs: number;
  readonly updatedAt: number;
}

/**
 * Where breaker state lives. Reads are synchronous: a remote store serves them from a local
 * copy it keeps fresh (and tells subscribers when another instance changed a key).
 */
export interface BreakerStore {
  get(key: string): BreakerState | undefined;
  set(key: string, state: BreakerState): void;
  /** Optional: forgets a key (a target no longer tracked); a shared store may keep it for others. */
  delete?(key: string): void;
  /** Optional: hears changes to any key (made here or, for a remote store, elsewhere). */
  subscribe?(listener: (key: string, state: BreakerState) => void): () => void;
}

export function createMemoryBreakerStore(): BreakerStore {
  const states = new Map<string, BreakerState>();
  const listeners = new Set<(key: string, state: BreakerState) => void>();
  return {
    get: (key) => states.get(key),
    set(key, state) {
      states.set(key, state);
      for (const listener of [...listeners]) listener(key, state);
    },
    delete: (key) => void states.delete(key),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
