/**
 * What a provider's rate-limit headers say on every answer, and whether they say the limit is
 * spent. OpenAI (and OpenAI-compatible servers): `x-ratelimit-{limit,remaining}-{requests,tokens}`
 * and `x-ratelimit-reset-{requests,tokens}` as durations (`1s`, `6m0s`, `20ms`). Anthropic:
 * `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`,
 * the reset an RFC 3339 time. Both document the reset as when the limit is back to its full
 * value: the limits are token buckets refilled continuously, so with `limit` known the bucket
 * is read as refilling `limit - remaining` units over the time to reset, and the time until
 * `n` units are there again is that share of it.
 */
import { parseDecimal, parseDuration, parseRfc3339Delay } from './retry-after.ts';

export const LIMIT_FAMILIES = ['requests', 'tokens', 'input-tokens', 'output-tokens'] as const;
export type LimitFamily = (typeof LIMIT_FAMILIES)[number];

export interface LimitReading {
  readonly family: LimitFamily;
  /** The header the remaining count came from, for traces. */
  readonly source: string;
  readonly limit?: number;
  readonly remaining: number;
  /** When the bucket is full again (epoch ms); undefined when the header is absent or unreadable. */
  readonly resetAtMs?: number;
}

/** Every limit family the headers report a `remaining` for; empty when the provider sends none. */
export function readRateLimits(get: (name: string) => string | undefined, nowMs: number): LimitReading[] {
  const out: LimitReading[] = [];
  for (const family of LIMIT_FAMILIES) {
    const anthropic = `anthropic-ratelimit-${family}`;
    const remaining = parseDecimal(get(`${anthropic}-remaining`));
    if (remaining !== undefined) {
      const limit = parseDecimal(get(`${anthropic}-limit`));
      const resetMs = parseRfc3339Delay(get(`${anthropic}-reset`), nowMs);
      out.push(reading(family, `${anthropic}-remaining`, remaining, limit, resetMs, nowMs));
      continue;
    }
    if (family !== 'requests' && family !== 'tokens') continue;
    const openaiRemaining = parseDecimal(get(`x-ratelimit-remaining-${family}`));
    if (openaiRemaining === undefined) continue;
    const limit = parseDecimal(get(`x-ratelimit-limit-${family}`));
    const resetMs = parseDuration(get(`x-ratelimit-reset-${family}`));
    out.push(reading(family, `x-ratelimit-remaining-${family}`, openaiRemaining, limit, resetMs, nowMs));
  }
  return out;
}

function reading(
  family: LimitFamily,
  source: string,
  remaining: number,
  limit: number | undefined,
  resetMs: number | undefined,
  nowMs: number,
): LimitReading {
  return {
    family,
    source,
    remaining,
    ...(limit === undefined ? {} : { limit }),
    ...(resetMs === undefined ? {} : { resetAtMs: nowMs + resetMs }),
  };
}

/** Why and until when a target is held back. */
export interface LimitHold {
  readonly untilMs: number;
  readonly family: LimitFamily;
  readonly source: string;
}

/**
 * Whether the readings say a call needing `tokens` (the prompt's estimate; 0 when unknown)
 * would be refused, and until when: a family with nothing left (`remaining` 0), or a token
 * family whose `remaining` is below the call's tokens (`input-tokens` and the combined `tokens`
 * count the prompt; `output-tokens` only holds at 0, since what the answer will spend is not
 * known). The latest of those times wins: the call needs every limit. A reading without a
 * reset time, or whose reset has passed, holds nothing.
 */
export function limitHold(
  readings: readonly LimitReading[],
  tokens: number,
  nowMs: number,
): LimitHold | undefined {
  let hold: LimitHold | undefined;
  for (const r of readings) {
    if (r.resetAtMs === undefined || r.resetAtMs <= nowMs) continue;
    const need = r.family === 'requests' || r.family === 'output-tokens' ? 1 : Math.max(1, tokens);
    if (r.remaining >= need) continue;
    const untilMs = refilledAt(r, need, nowMs);
    if (untilMs > nowMs && (!hold || untilMs > hold.untilMs))
      hold = { untilMs, family: r.family, source: r.source };
  }
  return hold;
}

/** When `need` units are back: the share of the time to a full bucket that refills them. */
function refilledAt(r: LimitReading, need: number, nowMs: number): number {
  const resetAtMs = r.resetAtMs ?? nowMs;
  const deficit = r.limit === undefined ? 0 : r.limit - r.remaining;
  if (deficit <= 0 || need - r.remaining >= deficit) return resetAtMs;
  return nowMs + Math.ceil(((resetAtMs - nowMs) * (need - r.remaining)) / deficit);
}
