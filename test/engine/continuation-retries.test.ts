/**
 * Continuations get retries like any attempt (issue 13): a continuation that meets a 429 with a
 * short hint waits it out, one that meets a 500 or a reset is retried with backoff, even on a
 * one-target route; the trace counts every attempt, continuations included.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/index.ts';
import type { MockProvider } from '../../src/testing/index.ts';
import type { CanonicalRequest } from '../../src/wire/canonical/index.ts';
import { engineFor, gapsFor, startMock } from './support/harness.ts';

const ask: CanonicalRequest = {
  model: 'default',
  maxTokens: 80,
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Tell me about resilience.' }] }],
};
const textOf = (r: { content: ReadonlyArray<{ type: string; text?: string }> }) =>
  r.content.map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join('');

/** Budgets roomy enough that only the scripted faults fail an attempt, whatever the machine's load. */
const ROOMY = { connect: 2000, headers: 2000, firstToken: 2000, idle: 2000, total: 8000, deadline: 20_000 };

let mock: MockProvider;
let engine: Engine | undefined;
const healthy: Record<string, string> = {};
const TARGETS = { openai: 'openai/gpt-4.1', anthropic: 'anthropic/claude-sonnet-4-5' } as const;

beforeAll(async () => {
  mock = await startMock();
  for (const [name, target] of Object.entries(TARGETS)) {
    const e = engineFor(mock, { routes: { default: [target] } });
    healthy[name] = textOf(await e.execute(ask).response());
    await e.close();
  }
  mock.reset();
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  mock.reset();
});
afterAll(async () => {
  await mock.close();
});

describe.each(Object.entries(TARGETS))('a continuation on a one-target route (%s)', (name, target) => {
  const model = target.slice(target.indexOf('/') + 1);
  it.each([
    ['a 429 with retry-after-ms=300', '429 retry-after-ms=300'],
    ['a 429 with retry-after: 1', '429 retry-after=1'],
    ['a 500', '500'],
    ['a reset', 'reset'],
  ])('that meets %s is retried and the caller gets the exact answer', async (_, fault) => {
    mock.setScenario({
      models: {
        [model]: {
          faults: [
            { fault: 'cut after=12', times: 1 },
            { fault, times: 1 },
          ],
        },
      },
    });
    engine = engineFor(mock, {
      routes: { default: [target] },
      timeout: ROOMY,
    });
    const call = engine.execute(ask);
    const response = await call.response();
    expect(textOf(response)).toBe(healthy[name]);
    const trace = await call.trace;
    expect(trace.continued).toBe(true);
    // The answer's usage, summed over its pieces: what was billed to produce it.
    expect(trace.usage?.outputTokens).toBeGreaterThan(0);
    expect(trace.usage?.inputTokens).toBeGreaterThan(0);
    expect(trace.attempts.map((a) => [a.outcome, a.continuation === true])).toEqual([
      ['error', false],
      ['error', true],
      ['success', true],
    ]);
    if (fault.includes('retry-after')) {
      expect(gapsFor(mock.log(), model)[1]).toBeGreaterThanOrEqual(fault.includes('=1') ? 1000 : 300);
    }
  });
});

/** One OpenAI target whose first stream is cut after 10 tokens, then `limit` meets the next requests. */
function cutThenRateLimited(model: string, limit: { fault: string; times: number }): Engine {
  mock.setScenario({
    defaults: { tokenMs: 20 },
    models: { [model]: { faults: [{ fault: 'cut after=10', times: 1 }, limit] } },
  });
  return engineFor(mock, { routes: { default: [`openai/${model}`] }, timeout: ROOMY });
}

describe('a stream broken while its only target is cooling after another call met a short rate limit', () => {
  it('waits for the cooldown and continues the answer, rather than fail a half-sent answer', async () => {
    const model = 'gpt-4.1';
    engine = cutThenRateLimited(model, { fault: '429 retry-after=1', times: 1 });
    const first = engine.execute(ask);
    await first.committed;
    // Another call meets the 429 while the first streams: the target cools for a second.
    const second = engine.execute(ask);
    const [a, b] = await Promise.all([first.response(), second.response()]);
    expect(textOf(a)).toBe(healthy.openai);
    expect(textOf(b)).toBe(healthy.openai);
    const trace = await first.trace;
    expect(trace.continued).toBe(true);
    expect(trace.outcome).toBe('success');
  });
});

describe('a stream broken while other calls keep finding its only target rate limited', () => {
  it('keeps waiting for the cooldowns (within retry.cooldownWaitMs) and continues the answer', async () => {
    const model = 'gpt-4.1';
    engine = cutThenRateLimited(model, { fault: '429 retry-after-ms=200', times: 8 });
    const first = engine.execute(ask);
    await first.committed;
    // Three more calls meet the limit one after another while the first waits to continue.
    const others = [engine.execute(ask), engine.execute(ask), engine.execute(ask)];
    // They may give up (each has its own attempts); the half-sent answer must not.
    await Promise.allSettled(others.map((c) => c.response()));
    expect(textOf(await first.response())).toBe(healthy.openai);
    const trace = await first.trace;
    expect(trace.continued).toBe(true);
    expect(trace.outcome).toBe('success');
    // Every 429 was met by some call: the continuation came after the limit passed.
    expect(mock.log().filter((e) => e.status === 429)).toHaveLength(8);
  });
});
