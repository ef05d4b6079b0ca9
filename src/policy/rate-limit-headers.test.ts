import { describe, expect, it } from 'vitest';
import { limitHold, readRateLimits } from './rate-limit-headers.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const headers = (h: Record<string, string>) => (name: string) => h[name];

describe('reading rate-limit headers', () => {
  it('OpenAI: requests and tokens, resets as durations (1s, 6m0s, 20ms, 1h2m3.5s)', () => {
    const readings = readRateLimits(
      headers({
        'x-ratelimit-limit-requests': '60',
        'x-ratelimit-remaining-requests': '59',
        'x-ratelimit-reset-requests': '1s',
        'x-ratelimit-limit-tokens': '150000',
        'x-ratelimit-remaining-tokens': '149984',
        'x-ratelimit-reset-tokens': '6m0s',
      }),
      NOW,
    );
    expect(readings).toEqual([
      {
        family: 'requests',
        source: 'x-ratelimit-remaining-requests',
        limit: 60,
        remaining: 59,
        resetAtMs: NOW + 1000,
      },
      {
        family: 'tokens',
        source: 'x-ratelimit-remaining-tokens',
        limit: 150_000,
        remaining: 149_984,
        resetAtMs: NOW + 360_000,
      },
    ]);
    const short = readRateLimits(
      headers({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '20ms' }),
      NOW,
    );
    expect(short).toEqual([
      { family: 'requests', source: 'x-ratelimit-remaining-requests', remaining: 0, resetAtMs: NOW + 20 },
    ]);
    const long = readRateLimits(
      headers({ 'x-ratelimit-remaining-tokens': '5', 'x-ratelimit-reset-tokens': '1h2m3.5s' }),
      NOW,
    );
    expect(long[0]?.resetAtMs).toBe(NOW + 3_723_500);
  });

  it('Anthropic: requests, tokens, input-tokens and output-tokens, resets as RFC 3339 times', () => {
    const h: Record<string, string> = {};
    const families = ['requests', 'tokens', 'input-tokens', 'output-tokens'];
    families.forEach((f, i) => {
      h[`anthropic-ratelimit-${f}-limit`] = String(1000 * (i + 1));
      h[`anthropic-ratelimit-${f}-remaining`] = String(10 * i);
      h[`anthropic-ratelimit-${f}-reset`] = `2026-01-01T00:00:${String(10 + i).padStart(2, '0')}Z`;
    });
    expect(readRateLimits(headers(h), NOW)).toEqual(
      families.map((family, i) => ({
        family,
        source: `anthropic-ratelimit-${family}-remaining`,
        limit: 1000 * (i + 1),
        remaining: 10 * i,
        resetAtMs: NOW + (10 + i) * 1000,
      })),
    );
    // An offset and fractional seconds are RFC 3339 too.
    const offset = readRateLimits(
      headers({
        'anthropic-ratelimit-requests-remaining': '0',
        'anthropic-ratelimit-requests-reset': '2026-01-01T01:00:02.5+01:00',
      }),
      NOW,
    );
    expect(offset[0]?.resetAtMs).toBe(NOW + 2500);
  });

  it('no such headers, or unreadable ones, read as nothing', () => {
    expect(readRateLimits(headers({ 'content-type': 'text/event-stream' }), NOW)).toEqual([]);
    expect(readRateLimits(headers({ 'x-ratelimit-remaining-requests': 'many' }), NOW)).toEqual([]);
    // A remaining count with a reset that does not parse is kept, with no reset (it can hold nothing).
    expect(
      readRateLimits(
        headers({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': 'soon' }),
        NOW,
      ),
    ).toEqual([{ family: 'requests', source: 'x-ratelimit-remaining-requests', remaining: 0 }]);
  });
});

describe('whether the readings hold a call back', () => {
  const read = (h: Record<string, string>) => readRateLimits(headers(h), NOW);

  it('requests left: no hold; none left: held until the next request refills (limit known)', () => {
    expect(
      limitHold(
        read({ 'x-ratelimit-remaining-requests': '1', 'x-ratelimit-reset-requests': '6m0s' }),
        0,
        NOW,
      ),
    ).toBeUndefined();
    // 60 per minute, none left, full again in 60 s: one request is back in 1 s.
    expect(
      limitHold(
        read({
          'x-ratelimit-limit-requests': '60',
          'x-ratelimit-remaining-requests': '0',
          'x-ratelimit-reset-requests': '1m0s',
        }),
        0,
        NOW,
      ),
    ).toEqual({ untilMs: NOW + 1000, family: 'requests', source: 'x-ratelimit-remaining-requests' });
  });

  it('none left and no limit given: held until the reset itself', () => {
    expect(
      limitHold(read({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '6m0s' }), 0, NOW)
        ?.untilMs,
    ).toBe(NOW + 360_000);
  });

  it('tokens: held when fewer are left than the prompt needs, until enough have refilled', () => {
    const h = {
      'anthropic-ratelimit-input-tokens-limit': '20000',
      'anthropic-ratelimit-input-tokens-remaining': '2000',
      'anthropic-ratelimit-input-tokens-reset': '2026-01-01T00:00:36Z',
    };
    expect(limitHold(read(h), 1500, NOW)).toBeUndefined();
    // 18 000 tokens refill in 36 s (500 per second): 4000 more need 8 s.
    expect(limitHold(read(h), 6000, NOW)).toEqual({
      untilMs: NOW + 8000,
      family: 'input-tokens',
      source: 'anthropic-ratelimit-input-tokens-remaining',
    });
    // A prompt larger than the whole deficit waits for the full reset.
    expect(limitHold(read(h), 50_000, NOW)?.untilMs).toBe(NOW + 36_000);
  });

  it('output tokens hold only when none are left (what the answer spends is not known)', () => {
    const h = (remaining: string) =>
      read({
        'anthropic-ratelimit-output-tokens-remaining': remaining,
        'anthropic-ratelimit-output-tokens-reset': '2026-01-01T00:00:05Z',
      });
    expect(limitHold(h('3'), 100_000, NOW)).toBeUndefined();
    expect(limitHold(h('0'), 0, NOW)?.untilMs).toBe(NOW + 5000);
  });

  it('the latest hold of several wins; a reset already passed holds nothing', () => {
    const h = read({
      'anthropic-ratelimit-requests-remaining': '0',
      'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:02Z',
      'anthropic-ratelimit-tokens-remaining': '0',
      'anthropic-ratelimit-tokens-reset': '2026-01-01T00:00:07Z',
    });
    expect(limitHold(h, 0, NOW)).toMatchObject({ untilMs: NOW + 7000, family: 'tokens' });
    expect(limitHold(h, 0, NOW + 7000)).toBeUndefined();
    expect(
      limitHold(
        read({
          'anthropic-ratelimit-requests-remaining': '0',
          'anthropic-ratelimit-requests-reset': '2025-12-31T23:59:00Z',
        }),
        0,
        NOW,
      ),
    ).toBeUndefined();
  });
});
