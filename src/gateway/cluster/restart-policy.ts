/**
 * When a cluster's worker dies: restart it after a backoff that grows while the slot keeps
 * dying soon after it starts and resets once it has stayed up; give up (the primary exits
 * non-zero with the worker's error) when workers fail before they ever listen, at the first
 * start, or `maxStartupFailures` times in a row later, so a bad config or a taken port shows
 * its error instead of hiding in a restart loop.
 */

export interface RestartPolicyOptions {
  /** First restart delay; default 100 ms. */
  initialBackoffMs?: number;
  /** Default 10 000 ms. */
  maxBackoffMs?: number;
  /** A worker up this long has its slot's backoff reset; default 10 000 ms. */
  stableAfterMs?: number;
  /** Workers in a row that die before listening, after the first start; default 5. */
  maxStartupFailures?: number;
}

export const RESTART_DEFAULTS = {
  initialBackoffMs: 100,
  maxBackoffMs: 10_000,
  stableAfterMs: 10_000,
  maxStartupFailures: 5,
} as const;

export interface WorkerLife {
  /** The slot (0..N-1) the worker filled. */
  readonly slot: number;
  readonly startedAt: number;
  /** When it said it listens; absent if it died before. */
  readonly readyAt?: number;
}

export type RestartDecision =
  | { readonly action: 'restart'; readonly delayMs: number }
  | { readonly action: 'give_up'; readonly reason: string };

export interface RestartPolicy {
  /** Every worker of the first start listens: from now on, a failure is restarted. */
  started(): void;
  onReady(): void;
  onExit(life: WorkerLife, now: number): RestartDecision;
}

export function createRestartPolicy(options: RestartPolicyOptions = {}): RestartPolicy {
  const o = { ...RESTART_DEFAULTS, ...options };
  let clusterStarted = false;
  let startupFailuresInRow = 0;
  const quickDeaths = new Map<number, number>();
  return {
    started() {
      clusterStarted = true;
    },
    onReady() {
      startupFailuresInRow = 0;
    },
    onExit(life, now) {
      if (life.readyAt === undefined) {
        if (!clusterStarted) return { action: 'give_up', reason: 'a worker failed to start' };
        startupFailuresInRow += 1;
        if (startupFailuresInRow >= o.maxStartupFailures)
          return {
            action: 'give_up',
            reason: `${startupFailuresInRow} workers in a row failed to start`,
          };
      }
      const stable = life.readyAt !== undefined && now - life.readyAt >= o.stableAfterMs;
      const deaths = stable ? 0 : (quickDeaths.get(life.slot) ?? 0);
      quickDeaths.set(life.slot, deaths + 1);
      return { action: 'restart', delayMs: Math.min(o.maxBackoffMs, o.initialBackoffMs * 2 ** deaths) };
    },
  };
}
