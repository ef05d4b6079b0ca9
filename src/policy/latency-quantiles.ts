import { checkNumber } from './check-option.ts';
import { type Clock, realClock } from './clock.ts';

export interface QuantileTrackerOptions {
  /** The most recent samples kept; default 256. */
  capacity?: number;
  /** Samples older than this are forgotten, so a target's past does not outlive a change; default 300 000 ms. */
  maxAgeMs?: number;
  /** Fewer live samples than this and `quantile` answers undefined; default 20. */
  minSamples?: number;
  clock?: Clock;
}

/**
 * A target's recent latencies (time to first token, tokens per second) and their quantiles.
 * An exact sketch over a bounded ring of the latest samples rather than a streaming estimate
 * (t-digest, P²): at 256 samples sorting a copy costs microseconds, is asked once per call at
 * most, and answers exactly what the window holds, which the tests and the README can state.
 * A quantile is the nearest-rank value (the smallest sample with at least q of them at or below it).
 */
export interface QuantileTracker {
  record(value: number): void;
  /** The q-quantile (0 < q <= 1) of the live samples, or undefined while there are too few. */
  quantile(q: number): number | undefined;
  /** Live samples (within `maxAgeMs`). */
  count(): number;
}

export function createQuantileTracker(options: QuantileTrackerOptions = {}): QuantileTracker {
  const capacity = checkNumber('capacity', options.capacity ?? 256, { min: 1, integer: true });
  const maxAgeMs = checkNumber('maxAgeMs', options.maxAgeMs ?? 300_000, { min: 1 });
  const minSamples = checkNumber('minSamples', options.minSamples ?? 20, { min: 1, integer: true });
  const clock = options.clock ?? realClock;
  const values: number[] = [];
  const times: number[] = [];
  let next = 0;

  const live = (): number[] => {
    const oldest = clock.now() - maxAgeMs;
    const out: number[] = [];
    for (let i = 0; i < values.length; i++) if ((times[i] as number) >= oldest) out.push(values[i] as number);
    return out;
  };

  return {
    record(value) {
      if (!Number.isFinite(value) || value < 0) return;
      if (values.length < capacity) {
        values.push(value);
        times.push(clock.now());
        return;
      }
      values[next] = value;
      times[next] = clock.now();
      next = (next + 1) % capacity;
    },
    quantile(q) {
      checkNumber('q', q, { max: 1 });
      const samples = live();
      if (samples.length < minSamples) return undefined;
      samples.sort((a, b) => a - b);
      const rank = Math.max(1, Math.ceil(q * samples.length - 1e-9));
      return samples[rank - 1];
    },
    count: () => live().length,
  };
}
