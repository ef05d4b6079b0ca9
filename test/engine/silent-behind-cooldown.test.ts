/**
 * A silent target (it timed out) is retried only after a target cooling for a short rate limit
 * had its turn: retrying the silent one costs a whole timeout, waiting for the limit's end a
 * moment (found by the fault soak's outage: calls met two 10 s timeouts on a dead first target
 * while the next one cooled for a second).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/index.ts';
import type { MockProvider } from '../../src/testing/index.ts';
import type { CanonicalRequest } from '../../src/wire/canonical/index.ts';
import { attemptsByModel, engineFor, startMock } from './support/harness.ts';

const ask: CanonicalRequest = {
  model: 'default',
  maxTokens: 40,
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Say something.' }] }],
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

describe('a route whose first target goes silent while the next cools after a short rate limit', () => {
  it.each([
    ['never answers', 'hang'],
    ['sends headers, then nothing', 'silence'],
  ])('waits for the cooled target rather than retry the silent one (%s)', async (_, fault) => {
    mock.setScenario({
      models: {
        'claude-sonnet-4-5': { faults: [{ fault }] },
        'gpt-4.1': { faults: [{ fault: '429 retry-after-ms=1500', times: 1 }] },
      },
    });
    engine = engineFor(mock, {
      routes: { default: ['anthropic/claude-sonnet-4-5', 'openai/gpt-4.1'], other: ['openai/gpt-4.1'] },
    });
    // Another call meets the rate limit first: the OpenAI target cools for 1.5 s for every call.
    const other = engine.execute({ ...ask, model: 'other' });
    await expect.poll(() => mock.log().length).toBe(1);
    const call = engine.execute(ask);
    const [response] = await Promise.all([call.response(), other.response()]);
    expect(response.model).toBe('gpt-4.1');
    // One timeout on the silent target, not two: the cooled one answered first.
    expect(attemptsByModel(mock.log())).toEqual({ 'gpt-4.1': 3, 'claude-sonnet-4-5': 1 });
    const trace = await call.trace;
    expect(trace.attempts.map((a) => [a.model, a.outcome])).toEqual([
      ['claude-sonnet-4-5', 'error'],
      ['gpt-4.1', 'success'],
    ]);
  });

  it('still retries the silent target when nothing else can answer', async () => {
    mock.setScenario({
      models: {
        'claude-sonnet-4-5': { faults: [{ fault: 'hang', times: 1 }] },
        'gpt-4.1': { faults: [{ fault: '401' }] },
      },
    });
    engine = engineFor(mock, { routes: { default: ['anthropic/claude-sonnet-4-5', 'openai/gpt-4.1'] } });
    const response = await engine.execute(ask).response();
    expect(response.model).toBe('claude-sonnet-4-5');
    expect(attemptsByModel(mock.log())).toEqual({ 'claude-sonnet-4-5': 2, 'gpt-4.1': 1 });
  });
});
