import { describe, expect, it } from 'vitest';
import { resolveSettings } from './settings.ts';
import { resolveTimeouts } from './timeouts.ts';

const providers = { anthropic: { type: 'anthropic' } };
const bad = (options: Record<string, unknown>) => {
  try {
    resolveSettings({ providers, ...options });
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the options to be rejected');
};

describe('client options', () => {
  it('name the option and the value when invalid', () => {
    expect(bad({ retry: { attempts: -1 } })).toBe('retry.attempts: expected a positive integer, got -1');
    expect(bad({ timeout: 'slow' })).toMatch(/^timeout: expected 'auto', 'quick'.*got "slow"$/);
    expect(bad({ stream: { onInterrupt: 'retry' } })).toMatch(/^stream/);
    expect(bad({ providers: { x: { type: 'azure' } } })).toBe(
      'providers.x.type: expected one of anthropic, openai, gemini, got "azure"',
    );
    expect(bad({ routes: { default: ['nobody/model'] } })).toMatch(
      'routes.default.0: unknown provider "nobody" (providers: anthropic)',
    );
    expect(bad({ routes: { default: { targets: ['anthropc/model'] } } })).toBe(
      'routes.default.targets.0: unknown provider "anthropc", did you mean "anthropic"?',
    );
    expect(bad({ retyr: 3 })).toMatch(/retyr/);
  });

  it('accept shorthands and fill the documented defaults', () => {
    const defaults = resolveSettings({ providers });
    expect(defaults.retry).toMatchObject({
      attempts: 2,
      baseMs: 500,
      capMs: 8000,
      jitter: 'equal',
      maxHintMs: 60_000,
    });
    expect(defaults.stream).toEqual({
      onInterrupt: 'continue',
      maxContinuations: 2,
      atomicToolCalls: true,
      upstream: 'always',
    });
    expect(resolveSettings({ providers, retry: 3 }).retry.attempts).toBe(3);
    expect(resolveSettings({ providers, retry: false }).retry.attempts).toBe(1);
    expect(resolveSettings({ providers, stream: 'salvage' }).stream.onInterrupt).toBe('salvage');
    expect(resolveSettings({ providers, timeout: 30_000 }).timeout).toBe(30_000);
    expect(
      resolveSettings({ providers, models: { x: { contextWindow: 10 } } }).models('x').contextWindow,
    ).toBe(10);
    expect(resolveSettings({ providers }).models('claude-opus-4-6').prefill).toBe(false);
  });
});

describe('hedging and the slow-stream guard options', () => {
  const route = (hedge: unknown) => ({
    routes: { default: { targets: ['anthropic/claude-sonnet-4-5'], hedge } },
  });
  it('fill the hedge defaults and keep a route without hedge unhedged', () => {
    expect(resolveSettings({ providers, ...route({ after: 'p95' }) }).routes.default?.hedge).toEqual({
      after: 'p95',
      maxRatio: 0.05,
      windowMs: 60_000,
      fallbackMs: undefined,
      minSamples: 20,
    });
    expect(
      resolveSettings({ providers, ...route({ after: 800, maxRatio: 0.1 }) }).routes.default?.hedge,
    ).toMatchObject({
      after: 800,
      maxRatio: 0.1,
    });
    expect(resolveSettings({ providers, ...route(false) }).routes.default?.hedge).toBeUndefined();
  });

  it('name a bad hedge or slowFloor and its value', () => {
    expect(bad(route({ after: 'p99' }))).toMatch(
      /^routes\.default\.hedge\.after: expected 'p95' or a number of ms >= 0, got "p99"/,
    );
    expect(bad(route({ after: 100, maxRatio: 2 }))).toBe(
      'routes.default.hedge.maxRatio: expected a number between 0 and 1, got 2',
    );
    expect(bad(route({ after: 100, maxratio: 0.1 }))).toMatch(/maxratio/);
    expect(bad({ stream: { slowFloor: -1 } })).toMatch(/^stream\.slowFloor/);
    expect(bad({ stream: { slowFloor: { graceMs: 1000 } } })).toBe(
      'stream.slowFloor: expected tokensPerSecond or relative (a floor to hold streams to)',
    );
  });

  it('leave the guard off unless configured, and fill its defaults', () => {
    expect(resolveSettings({ providers }).stream.slowFloor).toBeUndefined();
    expect(resolveSettings({ providers, stream: { slowFloor: 5 } }).stream.slowFloor).toEqual({
      tokensPerSecond: 5,
      relative: 0,
      graceMs: 3000,
      windowMs: 3000,
      afterCommit: 'keep',
    });
    expect(
      resolveSettings({ providers, stream: { slowFloor: { relative: 0.1, afterCommit: 'continue' } } }).stream
        .slowFloor,
    ).toMatchObject({ tokensPerSecond: 0, relative: 0.1, afterCommit: 'continue' });
  });
});

describe('timeouts', () => {
  const req = (extra: object = {}) => ({
    model: 'm',
    messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] }],
    ...extra,
  });
  it('auto picks the profile from the request shape', () => {
    expect(resolveTimeouts(req({ maxTokens: 100 }), 'auto').profile).toBe('quick');
    expect(resolveTimeouts(req({ maxTokens: 4000 }), 'auto').profile).toBe('generation');
    expect(resolveTimeouts(req({ thinking: { type: 'enabled', budgetTokens: 2000 } }), 'auto').profile).toBe(
      'thinking',
    );
    const big = req({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x'.repeat(500_000) }] }],
    });
    expect(resolveTimeouts(big, 'auto').profile).toBe('large-context');
  });
  it('deadline defaults to twice the attempt total; per-call overrides win', () => {
    const t = resolveTimeouts(req(), 'auto');
    expect(t.budgets).toEqual({
      connect: 5000,
      headers: 10_000,
      firstToken: 12_000,
      idle: 15_000,
      total: 60_000,
    });
    expect(t.deadlineMs).toBe(120_000);
    const o = resolveTimeouts(req(), { firstToken: 300 }, { idle: 200, deadline: 5000 });
    expect(o.budgets).toMatchObject({ firstToken: 300, idle: 200, total: 5000 });
    expect(o.deadlineMs).toBe(5000);
    expect(resolveTimeouts(req(), 'quick', 1000).deadlineMs).toBe(1000);
  });
});
