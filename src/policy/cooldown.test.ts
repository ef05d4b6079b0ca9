import { afterEach, describe, expect, it } from 'vitest';
import { createCooldowns } from './cooldown.ts';
import { createFakeClock, type FakeClock } from './fake-clock.ts';

let clock: FakeClock;

afterEach(() => {
  expect(clock.pendingTimers()).toBe(0);
});

describe('createCooldowns', () => {
  it('marks a target cooling until a time, then expires by itself', () => {
    clock = createFakeClock(0);
    const cooldowns = createCooldowns(clock);
    cooldowns.coolUntil('openai/gpt-4.1', 30_000, 'rate_limited');
    expect(cooldowns.isCooling('openai/gpt-4.1')).toEqual({ untilMs: 30_000, reason: 'rate_limited' });
    expect(cooldowns.isCooling('anthropic/claude-x')).toBeUndefined();
    clock.advance(29_999);
    expect(cooldowns.isCooling('openai/gpt-4.1')).toBeDefined();
    clock.advance(1);
    expect(cooldowns.isCooling('openai/gpt-4.1')).toBeUndefined();
    expect(cooldowns.active()).toEqual([]);
  });

  it('only extends: an earlier time does not shorten a cooldown in force', () => {
    clock = createFakeClock(0);
    const cooldowns = createCooldowns(clock);
    cooldowns.coolUntil('t', 60_000, 'quota');
    cooldowns.coolUntil('t', 10_000, 'rate_limited');
    expect(cooldowns.isCooling('t')).toEqual({ untilMs: 60_000, reason: 'quota' });
    cooldowns.coolUntil('t', 90_000, 'rate_limited');
    expect(cooldowns.isCooling('t')).toEqual({ untilMs: 90_000, reason: 'rate_limited' });
  });

  it('ignores a time already past, and can be lifted early', () => {
    clock = createFakeClock(1000);
    const cooldowns = createCooldowns(clock);
    cooldowns.coolUntil('t', 500, 'stale');
    expect(cooldowns.isCooling('t')).toBeUndefined();
    cooldowns.coolUntil('t', 5000, 'rate_limited');
    cooldowns.clear('t');
    expect(cooldowns.isCooling('t')).toBeUndefined();
  });

  it('lists the cooldowns in force', () => {
    clock = createFakeClock(0);
    const cooldowns = createCooldowns(clock);
    cooldowns.coolUntil('a', 1000, 'x');
    cooldowns.coolUntil('b', 5000, 'y');
    clock.advance(2000);
    expect(cooldowns.active()).toEqual([{ key: 'b', untilMs: 5000, reason: 'y' }]);
  });
});
