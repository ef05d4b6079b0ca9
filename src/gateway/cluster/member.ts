/** What a gateway needs to know when it runs as one of `outlast gateway --workers N`'s workers. */
import type { SharedState } from '../../state/index.ts';
import type { ClusterStatus } from './protocol.ts';

export interface ClusterMember {
  readonly workerId: number;
  /** Breakers and cooldowns shared through the primary; used unless `state.redis` is configured. */
  createState(): SharedState;
  /** Every worker's metrics, summed by the primary (Prometheus text), for /metrics. */
  metrics(): Promise<string>;
  /** What this worker hands the primary when it collects (prom-client's `getMetricsAsJSON()`). */
  provideMetrics(collect: () => Promise<unknown[]>): void;
  /** The workers, for /status. */
  status(): ClusterStatus;
}
