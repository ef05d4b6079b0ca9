/**
 * The targets the configuration does not name that the engine keeps state for (breakers,
 * latencies, prefill verdicts), most recently used last, at most `limit` of them. A client of
 * `allowAnyModel` (or the library asked for any `provider/model`) may name a new model on every
 * call; without a bound each name would add state for good, and every breaker listens to the
 * breaker store, so each write would also visit them all. Configured targets are never counted.
 */
export const UNCONFIGURED_TARGETS_KEPT = 256;

export interface RecentTargets {
  /**
   * The key was used now. Returns the keys to forget: the least recently used beyond the limit,
   * passing over those `busy` says still have an attempt in flight (they wait for the next turn).
   */
  touch(key: string, busy: (key: string) => boolean): string[];
  readonly size: number;
}

export function createRecentTargets(limit = UNCONFIGURED_TARGETS_KEPT): RecentTargets {
  // A Map iterates in insertion order: delete and set again moves a key to the end.
  const keys = new Map<string, true>();
  return {
    touch(key, busy) {
      keys.delete(key);
      keys.set(key, true);
      const evicted: string[] = [];
      if (keys.size <= limit) return evicted;
      for (const old of keys.keys()) {
        if (keys.size <= limit) break;
        if (old === key || busy(old)) continue;
        keys.delete(old);
        evicted.push(old);
      }
      return evicted;
    },
    get size() {
      return keys.size;
    },
  };
}
