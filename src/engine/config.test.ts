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
