/**
 * What the engine learns of each target's speed, for hedging and the slow-stream guard: its
 * recent times to first token and its recent streaming rates (tokens per second), each a
 * quantile tracker. Instance facts (like in-flight counts), never shared through a store.
 * Each tracker answers from one sample on: the caller decides how many it trusts. Bounded: past `maxTargets` the target seen least recently is forgotten (ad hoc
 * `provider/model` calls could otherwise grow it without end).
 */
import { type Clock, createQuantileTracker, type QuantileTracker } from '../policy/index.ts';

export interface TargetStats {
  /** Times to first token of the target's first attempts (continuations are not the same request). */
  ttft(key: string): QuantileTracker;
  /** Tokens per second of the target's streams that ran past the guard's grace. */
  rate(key: string): QuantileTracker;
}

const MAX_TARGETS = 1000;

export function createTargetStats(clock: Clock): TargetStats {
  const ttft = new Map<string, QuantileTracker>();
  const rate = new Map<string, QuantileTracker>();
  const of = (map: Map<string, QuantileTracker>, key: string): QuantileTracker => {
    let tracker = map.get(key);
    if (tracker) {
      // Re-inserted: the map's order is least recently used first.
      map.delete(key);
    } else {
      tracker = createQuantileTracker({ clock, minSamples: 1 });
      if (map.size >= MAX_TARGETS) map.delete(map.keys().next().value as string);
    }
    map.set(key, tracker);
    return tracker;
  };
  return { ttft: (key) => of(ttft, key), rate: (key) => of(rate, key) };
}
