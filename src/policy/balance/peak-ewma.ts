/**
 * A peak-sensitive moving average of a member's time to first token, as Finagle's and
 * Linkerd's (tower's) `PeakEwma` keep it: a sample above the estimate replaces it at once (a
 * member that turns slow is seen as slow from its first slow answer), a sample below it is
 * blended in by how much time passed since the last update, and the estimate decays toward 0
 * while nothing is observed, so a member that was slow and got no traffic is tried again and
 * gets traffic back once it answers fast.
 */

export interface PeakEwma {
  /** Records a sample (ms) observed at `now`. */
  observe(sampleMs: number, now: number): void;
  /** The estimate at `now` (decayed since the last sample); undefined before the first sample. */
  estimate(now: number): number | undefined;
}

/** Finagle's and Linkerd's default decay time: a spike weighs half as much after about 7 s. */
export const DEFAULT_DECAY_MS = 10_000;

export function createPeakEwma(decayMs = DEFAULT_DECAY_MS): PeakEwma {
  if (!(decayMs > 0)) throw new RangeError(`decayMs must be > 0, got ${decayMs}`);
  let value: number | undefined;
  let at = 0;
  const decayed = (now: number): number | undefined =>
    value === undefined ? undefined : value * Math.exp(-Math.max(0, now - at) / decayMs);
  return {
    observe(sampleMs, now) {
      const sample = Math.max(0, sampleMs);
      const current = decayed(now);
      if (current === undefined || sample > current) {
        value = sample;
      } else {
        // `current` already carries the decay since `at`: the sample takes the weight that decay freed.
        const recency = 1 - Math.exp(-Math.max(0, now - at) / decayMs);
        const previous = value ?? sample;
        value = previous * (1 - recency) + sample * recency;
      }
      at = Math.max(at, now);
    },
    estimate: decayed,
  };
}
