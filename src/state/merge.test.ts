import { describe, expect, it } from 'vitest';
import type { BreakerState } from '../policy/index.ts';
import { breakerNeedsPush, breakerReplaces, cooldownReplaces } from './merge.ts';

const state = (over: Partial<BreakerState>): BreakerState => ({
  state: 'closed',
  epoch: 1,
  consecutiveFailures: 0,
  window: [],
  cooldownMs: 5000,
  updatedAt: 1000,
  ...over,
});

describe('shared state merge rules', () => {
  it('takes a later transition from elsewhere and never an earlier one', () => {
    expect(breakerReplaces(state({ state: 'open', epoch: 2 }), state({ epoch: 1 }))).toBe(true);
    expect(breakerReplaces(state({ epoch: 1 }), state({ state: 'open', epoch: 2 }))).toBe(false);
    expect(breakerReplaces(state({}), undefined)).toBe(true);
  });

  it("keeps a closed breaker's own outcome window against the same epoch from elsewhere", () => {
    const local = state({ consecutiveFailures: 3, updatedAt: 2000 });
    expect(breakerReplaces(state({ updatedAt: 3000 }), local)).toBe(false);
  });

  it('settles two instances making the same-epoch transition by the later one', () => {
    const local = state({ state: 'half_open', epoch: 3, updatedAt: 1000 });
    expect(breakerReplaces(state({ state: 'open', epoch: 3, updatedAt: 2000 }), local)).toBe(true);
    expect(breakerReplaces(state({ state: 'open', epoch: 3, updatedAt: 500 }), local)).toBe(false);
  });

  it('pushes only transitions the store has not seen', () => {
    expect(breakerNeedsPush(state({ epoch: 2 }), state({ epoch: 1 }))).toBe(true);
    expect(breakerNeedsPush(state({ epoch: 2, updatedAt: 5000 }), state({ epoch: 2 }))).toBe(false);
    expect(breakerNeedsPush(state({}), undefined)).toBe(true);
  });

  it('only ever extends a cooldown', () => {
    expect(cooldownReplaces({ untilMs: 10, reason: 'a' }, { untilMs: 5, reason: 'b' })).toBe(true);
    expect(cooldownReplaces({ untilMs: 5, reason: 'a' }, { untilMs: 10, reason: 'b' })).toBe(false);
    expect(cooldownReplaces({ untilMs: 5, reason: 'a' }, undefined)).toBe(true);
  });
});
