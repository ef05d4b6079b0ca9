import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../policy/fake-clock.ts';
import { createPacing, PACING_REASON } from './pacing.ts';

function setup() {
  const clock = createFakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const cooled: Array<{ key: string; untilMs: number; reason: string }> = [];
  const pacing = createPacing({
    clock,
    health: { coolUntil: (key, untilMs, reason) => void cooled.push({ key, untilMs, reason }) },
  });
  /** One attempt answered with `headers`. */
  const answer = (key: string, headers: Headers, tokens = 0) => pacing.begin(key, tokens)(headers);
  return { clock, cooled, pacing, answer };
}
const openai = (remaining: number, reset: string, limit = 8) =>
  new Headers({
    'x-ratelimit-limit-requests': String(limit),
    'x-ratelimit-remaining-requests': String(remaining),
    'x-ratelimit-reset-requests': reset,
  });

describe('pacing from rate-limit headers', () => {
  it('a target that sends no such headers is never held, however many calls are in flight', () => {
    const { pacing, cooled, answer } = setup();
    answer('a/m', new Headers({ 'content-type': 'text/event-stream' }));
    for (let i = 0; i < 100; i++) {
      pacing.begin('a/m', 10_000);
      expect(pacing.holdFor('a/m', 10_000)).toBeUndefined();
    }
    expect(cooled).toEqual([]);
  });

  it('a spent limit cools the target (shared through the cooldown store) until one request refills', () => {
    const { pacing, cooled, clock, answer } = setup();
    // 8 per bucket, none left, full in 200 ms: one request is back in 25 ms.
    answer('a/m', openai(0, '200ms'));
    expect(cooled).toEqual([{ key: 'a/m', untilMs: clock.now() + 25, reason: PACING_REASON }]);
    expect(pacing.holdFor('a/m', 0)?.untilMs).toBe(clock.now() + 25);
  });

  it('counts the attempts whose answer has not come: two left admit two, the third waits for a refill', () => {
    const { pacing, clock, answer } = setup();
    answer('a/m', openai(2, '150ms'));
    expect(pacing.holdFor('a/m', 0)).toBeUndefined();
    const first = pacing.begin('a/m', 0);
    expect(pacing.holdFor('a/m', 0)).toBeUndefined();
    const second = pacing.begin('a/m', 0);
    // 6 refill over 150 ms, one every 25 ms; with two in flight none is left.
    expect(pacing.holdFor('a/m', 0)?.untilMs).toBe(clock.now() + 25);
    clock.advance(25);
    expect(pacing.holdFor('a/m', 0)).toBeUndefined();
    // A failed attempt gives its request back (the server refused it, or never saw it).
    pacing.begin('a/m', 0);
    expect(pacing.holdFor('a/m', 0)).toBeDefined();
    first();
    expect(pacing.holdFor('a/m', 0)).toBeUndefined();
    second(openai(3, '100ms'));
    expect(pacing.holdFor('a/m', 0)).toBeUndefined();
  });

  it('an answer that says less lowers the estimate; one that says more (read late, out of order) does not raise it', () => {
    const { pacing, clock, answer } = setup();
    answer('a/m', openai(5, '1s'));
    expect(pacing.holdFor('a/m', 0)).toBeUndefined();
    answer('a/m', openai(0, '1s'));
    expect(pacing.holdFor('a/m', 0)?.untilMs).toBe(clock.now() + 125);
    // An older answer, read after the newer one, still says 5 are left: the lower estimate stands.
    answer('a/m', openai(5, '1s'));
    expect(pacing.holdFor('a/m', 0)?.untilMs).toBe(clock.now() + 125);
    // It refills at its own rate: one request back after 125 ms.
    clock.advance(125);
    expect(pacing.holdFor('a/m', 0)).toBeUndefined();
  });

  it('a bucket past its reset holds nothing', () => {
    const { pacing, clock, answer } = setup();
    answer('a/m', openai(0, '1s', 1));
    expect(pacing.holdFor('a/m', 0)?.untilMs).toBe(clock.now() + 1000);
    clock.advance(1000);
    expect(pacing.holdFor('a/m', 0)).toBeUndefined();
  });

  it('holds a call whose prompt needs more input tokens than are left, not a smaller one', () => {
    const { pacing, clock, answer } = setup();
    answer(
      'anthropic/claude',
      new Headers({
        'anthropic-ratelimit-input-tokens-limit': '20000',
        'anthropic-ratelimit-input-tokens-remaining': '3000',
        'anthropic-ratelimit-input-tokens-reset': '2026-01-01T00:00:17Z',
      }),
    );
    // 17 000 tokens refill in 17 s: one per ms.
    expect(pacing.holdFor('anthropic/claude', 5000)).toEqual({
      untilMs: clock.now() + 2000,
      family: 'input-tokens',
      source: 'anthropic-ratelimit-input-tokens-remaining',
    });
    expect(pacing.holdFor('anthropic/claude', 2000)).toBeUndefined();
    pacing.begin('anthropic/claude', 2000);
    // The 2000 in flight are taken from the bucket: 1000 are left.
    expect(pacing.holdFor('anthropic/claude', 1500)?.untilMs).toBe(clock.now() + 500);
  });
});
