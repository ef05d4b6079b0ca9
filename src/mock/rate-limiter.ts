/**
 * The provider-side request limiter of the mock: one token bucket per model name, as the
 * providers describe theirs (Anthropic: "a token bucket, replenished continuously"). A
 * request that finds a whole token takes it and is served; one that finds none is refused
 * and takes nothing. Time is the mock's window clock, so a fake clock drives it in tests and
 * a reset refills every bucket. No randomness: the same arrival times give the same answers.
 */

export interface RateLimitConfig {
  /** Most requests the bucket holds: a burst of this many is served at once. */
  capacity: number;
  /** Tokens added per second, continuously (a fraction of a token accrues between requests). */
  refillPerSecond: number;
}

export interface LimitDecision {
  allowed: boolean;
  /** The bucket's capacity (what the `*-limit` headers say). */
  limit: number;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Milliseconds until the next whole token; 0 while one is left. */
  nextTokenMs: number;
  /** Milliseconds until the bucket is full again. */
  fullMs: number;
}

export interface RateLimiter {
  /** Asks `key`'s bucket for one token at `now` (epoch ms). */
  take(key: string, config: RateLimitConfig, now: number): LimitDecision;
  /** Every bucket full again (start, reset, a new scenario). */
  reset(): void;
}

// Refill is fractional: without a margin, 0.1 + 0.2 tokens would fall short of 0.3.
const EPSILON = 1e-9;

interface Bucket {
  tokens: number;
  at: number;
}

/** ms, rounded up to a whole millisecond, ignoring float dust (99.99999999 → 100, not 101). */
const ceilMs = (ms: number): number => Math.max(0, Math.ceil(ms - 1e-6));

export function createRateLimiter(): RateLimiter {
  const buckets = new Map<string, Bucket>();
  return {
    take(key, config, now) {
      const { capacity, refillPerSecond } = config;
      let bucket = buckets.get(key);
      if (!bucket) {
        bucket = { tokens: capacity, at: now };
        buckets.set(key, bucket);
      } else {
        // A clock that steps back adds nothing (and takes nothing away).
        const elapsed = Math.max(0, now - bucket.at);
        bucket.tokens = Math.min(capacity, bucket.tokens + (elapsed * refillPerSecond) / 1000);
        bucket.at = Math.max(bucket.at, now);
      }
      const allowed = bucket.tokens >= 1 - EPSILON;
      if (allowed) bucket.tokens = Math.max(0, bucket.tokens - 1);
      const tokens = bucket.tokens;
      const msPerToken = 1000 / refillPerSecond;
      return {
        allowed,
        limit: capacity,
        remaining: Math.floor(tokens + EPSILON),
        nextTokenMs: tokens >= 1 - EPSILON ? 0 : ceilMs((1 - tokens) * msPerToken),
        fullMs: ceilMs((capacity - tokens) * msPerToken),
      };
    },
    reset() {
      buckets.clear();
    },
  };
}
