/** The failure table's quota row, as decideAfterFailure applies it (pure, no clock). */
import { describe, expect, it } from 'vitest';
import { DEFAULT_QUOTA_COOLDOWN_MS, OutlastError } from '../../errors/index.ts';
import { createBackoff } from '../../policy/index.ts';
import { type DecideInput, decideAfterFailure } from './decide.ts';

const now = 1_000_000;
const input = (error: OutlastError, extra: Partial<DecideInput> = {}): DecideInput => ({
  error,
  attemptsHere: 1,
  maxAttempts: 2,
  backoff: createBackoff(),
  remainingMs: 60_000,
  maxHintMs: 60_000,
  now,
  random: () => 0.5,
  fallbackOnContentFilter: false,
  fallbackReadyAtMs: undefined,
  hintWaitMs: 5000,
  cooldownWaitMs: 10_000,
  acquireRetry: () => true,
  ...extra,
});

describe('decideAfterFailure: a spent quota', () => {
  it('falls back at once, never retries here even alone on the route, and cools the target long', () => {
    const quota = new OutlastError({ kind: 'quota_exceeded', message: 'spent', status: 429 });
    expect(decideAfterFailure(input(quota))).toEqual({
      action: 'fallback',
      lastResort: false,
      coolUntilMs: now + DEFAULT_QUOTA_COOLDOWN_MS,
    });
  });

  it('ignores a short hint (Gemini sends RetryInfo seconds with a daily quota), keeps a longer one', () => {
    const short = new OutlastError({ kind: 'quota_exceeded', message: 'spent', retryAfterMs: 2000 });
    expect(decideAfterFailure(input(short))).toMatchObject({
      action: 'fallback',
      coolUntilMs: now + DEFAULT_QUOTA_COOLDOWN_MS,
    });
    const long = new OutlastError({ kind: 'quota_exceeded', message: 'spent', retryAfterMs: 3_600_000 });
    expect(decideAfterFailure(input(long))).toMatchObject({ coolUntilMs: now + 3_600_000 });
    expect(decideAfterFailure(input(short, { quotaCooldownMs: 60_000 }))).toMatchObject({
      coolUntilMs: now + 60_000,
    });
  });

  it('a rate limit with the same short hint is waited out here instead', () => {
    const limited = new OutlastError({ kind: 'rate_limited', message: 'slow down', retryAfterMs: 2000 });
    expect(decideAfterFailure(input(limited))).toMatchObject({
      action: 'retry',
      waitMs: 2000,
      source: 'hint',
    });
  });
});
