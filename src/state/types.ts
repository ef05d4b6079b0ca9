import type { BreakerStore, CooldownStore } from '../policy/index.ts';

export interface StateHealth {
  /** `cluster`: shared by the workers of one `outlast gateway --workers N` through its primary process. */
  readonly backend: 'memory' | 'redis' | 'cluster';
  /** `degraded`: the shared store is unreachable and this instance runs on local state. */
  readonly status: 'ok' | 'degraded';
  /** Why it is degraded. */
  readonly detail?: string;
  /** Last complete resync with the shared store (epoch ms). */
  readonly lastSyncAt?: number;
}

/** The stores the engine keeps breakers and cooldowns in, and how they are doing. */
export interface SharedState {
  readonly breakerStore: BreakerStore;
  readonly cooldownStore: CooldownStore;
  health(): StateHealth;
  /** Waits until the store is reachable and in sync; false when it is not within the time. */
  ready(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}
