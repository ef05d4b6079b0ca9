/**
 * A spent quota or credit balance, in every provider's real shape (the mock's `quota` fault),
 * over real sockets: never retried, the route falls back at once, the target is left alone by
 * later calls, and its breaker does not hear of it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/index.ts';
import { DEFAULT_QUOTA_COOLDOWN_MS, type OutlastError } from '../../src/errors/index.ts';
import type { MockProvider } from '../../src/testing/index.ts';
import type { CanonicalRequest } from '../../src/wire/canonical/index.ts';
import { attemptsByModel, engineFor, startMock } from './support/harness.ts';

const FALLBACK = 'gpt-4.1-mini';
// Roomy budgets: the counts below must not depend on how loaded the machine is.
const timeout = { connect: 3000, headers: 3000, firstToken: 3000, idle: 3000, total: 8000, deadline: 10_000 };
const ask: CanonicalRequest = {
  model: 'default',
  maxTokens: 40,
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Say something short.' }] }],
};

let mock: MockProvider;
let engine: Engine | undefined;
beforeAll(async () => {
  mock = await startMock();
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  mock.reset();
});
afterAll(async () => {
  await mock.close();
});

describe.each([
  ['anthropic', 'claude-sonnet-4-5', 400],
  ['openai', 'gpt-4.1', 429],
  ['gemini', 'gemini-2.5-flash', 429],
] as const)('a spent quota on %s', (provider, model, status) => {
  it('is not retried, falls back at once and keeps later calls off the target; the breaker stays closed', async () => {
    mock.setScenario({ models: { [model]: { faults: ['quota'] } } });
    // Breakers that open on the first counted failure: a quota failure must not be one.
    engine = engineFor(mock, {
      routes: { default: [`${provider}/${model}`, `openai/${FALLBACK}`] },
      breaker: { consecutiveFailures: 1 },
      timeout,
    });
    const first = await engine.execute(ask).response();
    expect(first.content.length).toBeGreaterThan(0);
    expect(attemptsByModel(mock.log())).toEqual({ [model]: 1, [FALLBACK]: 1 });
    const seen = mock.log().find((e) => e.model === model);
    expect(seen?.status).toBe(status);

    const call = engine.execute(ask);
    await call.response();
    await call.trace;
    // The second call does not ask the spent target at all.
    expect(attemptsByModel(mock.log())).toEqual({ [model]: 1, [FALLBACK]: 2 });
    const health = engine.status().find((t) => t.model === model);
    expect(health?.breaker).toBe('closed');
    expect(health?.providerBreaker).toBe('closed');
    expect(health?.cooldownUntil).toBeGreaterThan(Date.now() + DEFAULT_QUOTA_COOLDOWN_MS - 60_000);
  });

  it('alone on its route, fails at once with the typed error and the provider message', async () => {
    mock.setScenario({ models: { [model]: { faults: ['quota'] } } });
    engine = engineFor(mock, { routes: { default: [`${provider}/${model}`] }, timeout });
    const error = (await engine
      .execute(ask)
      .response()
      .then(
        () => undefined,
        (e: unknown) => e as OutlastError,
      ))!;
    expect(error.kind).toBe('quota_exceeded');
    expect(error.code).toBe('OUTLAST_QUOTA_EXCEEDED');
    expect(error.retryable).toBe(false);
    expect(error.providerMessage).toMatch(/credit balance is too low|exceeded your current quota/);
    expect(error.message).toContain(`upstream ${provider}/${model} answered ${status}`);
    expect(attemptsByModel(mock.log())).toEqual({ [model]: 1 });
  });
});
