import { checkNumber } from './check-option.ts';
import type { Clock } from './clock.ts';

export interface StreamRateOptions {
  /** A stream slower than this (tokens per second) is slow; 0: no absolute floor. */
  floorTps: number;
  /**
   * A stream slower than this share of `normTps` is slow too (0: no relative rule). The norm
   * is the target's own (the median rate of its recent streams), unknown until it has some.
   */
  relative: number;
  normTps: number | undefined;
  /** No verdict in the stream's first ms: a model's first seconds are often bursty or slow. */
  graceMs: number;
  /** The rate is measured over the last this many ms. */
  windowMs: number;
  clock: Clock;
}

export interface SlowVerdict {
  /** Tokens per second over the window. */
  readonly rateTps: number;
  /** The rate it fell below. */
  readonly thresholdTps: number;
  readonly windowMs: number;
}

/**
 * Watches one stream's rate. `observe(tokens)` at each content part (the first one starts the
 * clock) answers a verdict once the stream is slow: fewer tokens per second over the last
 * `windowMs` than the threshold, judged only from `max(graceMs, windowMs)` after the first
 * content on. The verdict is reached at a part's arrival: a stream that stops altogether is the
 * idle timeout's case, not this one.
 */
export interface StreamRateGuard {
  observe(tokens: number): SlowVerdict | undefined;
  /** The threshold in tokens per second (0: the guard never fires). */
  readonly thresholdTps: number;
}

export function createStreamRateGuard(options: StreamRateOptions): StreamRateGuard {
  const floor = checkNumber('floorTps', options.floorTps);
  const relative = checkNumber('relative', options.relative, { max: 1 });
  const graceMs = checkNumber('graceMs', options.graceMs);
  const windowMs = checkNumber('windowMs', options.windowMs, { min: 1 });
  const norm = options.normTps;
  const thresholdTps = Math.max(floor, relative > 0 && norm !== undefined ? relative * norm : 0);
  const { clock } = options;
  const times: number[] = [];
  const counts: number[] = [];
  let startedAt: number | undefined;
  let inWindow = 0;

  return {
    thresholdTps,
    observe(tokens) {
      const now = clock.now();
      startedAt ??= now;
      if (thresholdTps === 0) return undefined;
      times.push(now);
      counts.push(tokens);
      inWindow += tokens;
      while (times.length > 0 && (times[0] as number) <= now - windowMs) {
        times.shift();
        inWindow -= counts.shift() as number;
      }
      if (now - startedAt < Math.max(graceMs, windowMs)) return undefined;
      const rateTps = inWindow / (windowMs / 1000);
      return rateTps < thresholdTps ? { rateTps, thresholdTps, windowMs } : undefined;
    },
  };
}
