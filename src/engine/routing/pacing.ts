/**
 * Rate-limit-aware pacing: every answer's rate-limit headers are read, and a target whose own
 * headers say a limit is spent is not sent more calls before the limit has room again.
 *
 * - A spent limit (nothing left) cools the target through the health's cooldowns, so other
 *   instances sharing the state store keep off it too, and the first call after the cooldown
 *   paces the others (they wait for what it learns).
 * - Between answers, this instance keeps the bucket the headers describe: what was left at the
 *   reading, refilled at the rate the reset implies, minus this instance's attempts whose own
 *   answer has not come yet (one request, and the prompt's tokens, each: the server may not
 *   have counted them in the reading). A call that would overdraw it is held back until enough
 *   has refilled, so a herd of calls does not all go at the one request left. The latest
 *   answer's headers replace the reading.
 *
 * A target that sends no such headers is never held.
 */
import type { Clock } from '../../policy/index.ts';
import {
  type LimitHold,
  type LimitReading,
  limitHold,
  readRateLimits,
} from '../../policy/rate-limit-headers.ts';
import type { Health } from '../health.ts';

export interface Pacing {
  /** The hold on `key` for a call needing `tokens` (its prompt's estimate), if its bucket says one. */
  holdFor(key: string, tokens: number): LimitHold | undefined;
  /**
   * An attempt on `key` is sent: its request and tokens count against the bucket until it
   * settles, once, with its answer's headers (read, replacing the reading) or without (failed).
   */
  begin(key: string, tokens: number): (headers?: Headers) => void;
}

/** The cooldown reason a spent limit gives (metrics label, trace). */
export const PACING_REASON = 'rate_limit_headers';

// One entry per target answered; bounded for gateways that accept any `provider/model`.
const MAX_TARGETS = 1024;

const SETTLED = () => {};
export const NO_PACING: Pacing = { holdFor: () => undefined, begin: () => SETTLED };

interface Bucket {
  readings: readonly LimitReading[];
  /** When the readings were taken. */
  at: number;
}

interface Pending {
  requests: number;
  tokens: number;
}

/**
 * A reading as it stands at `now`: refilled at the rate its reset implies since it was taken,
 * less the attempts still pending, with the time it is full again moved out by them.
 */
function current(bucket: Bucket, pending: Pending, now: number): LimitReading[] {
  return bucket.readings.map((r) => {
    const sent =
      r.family === 'requests' ? pending.requests : r.family === 'output-tokens' ? 0 : pending.tokens;
    if (
      r.limit === undefined ||
      r.resetAtMs === undefined ||
      r.resetAtMs <= bucket.at ||
      r.limit <= r.remaining
    )
      return { ...r, remaining: Math.max(0, r.remaining - sent) };
    const perMs = (r.limit - r.remaining) / (r.resetAtMs - bucket.at);
    const left = Math.floor(Math.min(r.limit, r.remaining + (now - bucket.at) * perMs) - sent);
    return { ...r, remaining: Math.max(0, left), resetAtMs: now + Math.ceil((r.limit - left) / perMs) };
  });
}

const NONE_PENDING: Pending = { requests: 0, tokens: 0 };

/**
 * Per family, the reading that leaves less: answers are read out of order when several are in
 * flight, and an older answer's headers must not undo what a newer one said was spent. The
 * lower estimate refills at its own rate, so this only delays a call, never holds one for good.
 */
function lowerOf(fresh: readonly LimitReading[], known: readonly LimitReading[]): LimitReading[] {
  return fresh.map((r) => {
    const k = known.find((o) => o.family === r.family);
    return k && k.remaining < r.remaining && k.resetAtMs !== undefined ? k : r;
  });
}

export function createPacing(deps: { clock: Clock; health: Pick<Health, 'coolUntil'> }): Pacing {
  const { clock, health } = deps;
  const buckets = new Map<string, Bucket>();
  const pending = new Map<string, Pending>();
  const observe = (key: string, headers: Headers) => {
    const now = clock.now();
    const readings = readRateLimits((name) => headers.get(name) ?? undefined, now);
    const before = buckets.get(key);
    buckets.delete(key);
    if (readings.length === 0) return;
    buckets.set(key, {
      readings: before ? lowerOf(readings, current(before, NONE_PENDING, now)) : readings,
      at: now,
    });
    if (buckets.size > MAX_TARGETS) buckets.delete(buckets.keys().next().value ?? key);
    const spent = limitHold(readings, 0, now);
    if (spent) health.coolUntil(key, spent.untilMs, PACING_REASON);
  };
  return {
    holdFor(key, tokens) {
      const bucket = buckets.get(key);
      if (!bucket) return undefined;
      // Kept past its reset: a bucket the headers said refills to full is full less what is in
      // flight, not a licence for every waiting call to go at once.
      const now = clock.now();
      return limitHold(current(bucket, pending.get(key) ?? { requests: 0, tokens: 0 }, now), tokens, now);
    },
    begin(key, tokens) {
      let p = pending.get(key);
      if (!p) {
        p = { requests: 0, tokens: 0 };
        pending.set(key, p);
      }
      const counted = p;
      const spend = Math.max(0, tokens);
      counted.requests += 1;
      counted.tokens += spend;
      let settled = false;
      return (headers) => {
        if (settled) return;
        settled = true;
        counted.requests -= 1;
        counted.tokens -= spend;
        if (counted.requests === 0) pending.delete(key);
        if (headers) observe(key, headers);
      };
    },
  };
}
