import { describe, expect, it } from 'vitest';
import { parseDuration, readServerHint } from './retry-after.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const headers = (h: Record<string, string>) => (name: string) => h[name];

describe('readServerHint', () => {
  it('reads retry-after as delta-seconds, float included', () => {
    expect(readServerHint(headers({ 'retry-after': '7' }), NOW)).toEqual({
      retryAfterMs: 7000,
      source: 'retry-after',
    });
    expect(readServerHint(headers({ 'retry-after': '1.5' }), NOW).retryAfterMs).toBe(1500);
    expect(readServerHint(headers({ 'retry-after': '0' }), NOW).retryAfterMs).toBe(0);
    // A bare year-like number is seconds, never parsed as a date.
    expect(readServerHint(headers({ 'retry-after': '2026' }), NOW).retryAfterMs).toBe(2_026_000);
  });

  it('prefers retry-after-ms (float ms) over retry-after', () => {
    expect(readServerHint(headers({ 'retry-after-ms': '250.5', 'retry-after': '9' }), NOW)).toEqual({
      retryAfterMs: 250.5,
      source: 'retry-after-ms',
    });
  });

  it('reads retry-after as an HTTP date relative to now', () => {
    const hint = readServerHint(headers({ 'retry-after': 'Sun, 01 Mar 2026 12:00:30 GMT' }), NOW);
    expect(hint).toEqual({ retryAfterMs: 30_000, source: 'retry-after' });
  });

  it('treats an HTTP date in the past as "now"', () => {
    const hint = readServerHint(headers({ 'retry-after': 'Sun, 01 Mar 2026 11:00:00 GMT' }), NOW);
    expect(hint.retryAfterMs).toBe(0);
  });

  it('ignores garbage and negative values', () => {
    for (const value of ['soon', '-5', '', '  ', '1e3', 'NaN', 'Infinity', '12abc', '5 s']) {
      expect(readServerHint(headers({ 'retry-after': value, 'retry-after-ms': value }), NOW)).toEqual({});
    }
  });

  it('falls through a garbage retry-after-ms to a valid retry-after', () => {
    expect(readServerHint(headers({ 'retry-after-ms': 'x', 'retry-after': '2' }), NOW).retryAfterMs).toBe(
      2000,
    );
  });

  it('does not cap: a long hint comes through as is', () => {
    expect(readServerHint(headers({ 'retry-after': '3600' }), NOW).retryAfterMs).toBe(3_600_000);
  });

  it('reads x-should-retry true and false, and ignores other values', () => {
    expect(readServerHint(headers({ 'x-should-retry': 'false' }), NOW)).toEqual({
      shouldRetry: false,
      source: 'x-should-retry',
    });
    expect(readServerHint(headers({ 'x-should-retry': 'TRUE', 'retry-after': '1' }), NOW)).toEqual({
      shouldRetry: true,
      retryAfterMs: 1000,
      source: 'retry-after',
    });
    expect(readServerHint(headers({ 'x-should-retry': 'maybe' }), NOW)).toEqual({});
  });

  it('uses the Anthropic reset of the exhausted limit', () => {
    const hint = readServerHint(
      headers({
        'anthropic-ratelimit-requests-remaining': '40',
        'anthropic-ratelimit-requests-reset': '2026-03-01T12:00:50Z',
        'anthropic-ratelimit-tokens-remaining': '0',
        'anthropic-ratelimit-tokens-reset': '2026-03-01T12:00:04.5Z',
      }),
      NOW,
    );
    expect(hint).toEqual({ retryAfterMs: 4500, source: 'anthropic-ratelimit-tokens-reset' });
  });

  it('uses the latest Anthropic reset when no limit says it is exhausted', () => {
    const hint = readServerHint(
      headers({
        'anthropic-ratelimit-input-tokens-reset': '2026-03-01T12:00:10+00:00',
        'anthropic-ratelimit-output-tokens-reset': '2026-03-01T13:00:20+01:00',
      }),
      NOW,
    );
    expect(hint).toEqual({ retryAfterMs: 20_000, source: 'anthropic-ratelimit-output-tokens-reset' });
  });

  it('prefers retry-after over reset headers', () => {
    const hint = readServerHint(
      headers({ 'retry-after': '3', 'anthropic-ratelimit-tokens-reset': '2026-03-01T12:00:50Z' }),
      NOW,
    );
    expect(hint.source).toBe('retry-after');
  });

  it('ignores a reset header that is not RFC 3339', () => {
    expect(readServerHint(headers({ 'anthropic-ratelimit-tokens-reset': 'tomorrow' }), NOW)).toEqual({});
  });

  it('uses the OpenAI reset durations, preferring the exhausted limit', () => {
    const hint = readServerHint(
      headers({
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': '1s',
        'x-ratelimit-remaining-tokens': '1000',
        'x-ratelimit-reset-tokens': '6m0s',
      }),
      NOW,
    );
    expect(hint).toEqual({ retryAfterMs: 1000, source: 'x-ratelimit-reset-requests' });
  });
});

describe('parseDuration', () => {
  it('parses Go-style durations', () => {
    expect(parseDuration('1s')).toBe(1000);
    expect(parseDuration('6m0s')).toBe(360_000);
    expect(parseDuration('12ms')).toBe(12);
    expect(parseDuration('1h2m3.5s')).toBe(3_723_500);
    expect(parseDuration('17.5')).toBe(17_500);
  });

  it('rejects garbage', () => {
    for (const value of ['', 's', '1x', '-1s', '1s garbage', 'ms'])
      expect(parseDuration(value)).toBeUndefined();
  });
});
