import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockProvider } from '../../src/testing/index.ts';
import { attemptsByModel, engineFor, gapsFor, startMock } from './support/harness.ts';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(async () => {
  await mock.close();
});

describe('engine over the mock', () => {
  it('retries a 500 on OpenAI then falls back to Gemini', async () => {
    mock.setScenario({ models: { 'gpt-4.1': { faults: ['500'] } } });
    const engine = engineFor(mock, { routes: { default: ['openai/gpt-4.1', 'gemini/gemini-2.5-flash'] } });
    const call = engine.execute({
      model: 'default',
      maxTokens: 50,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    });
    const r = await call.response();
    expect(r.model).toContain('gemini-2.5-flash');
    expect(attemptsByModel(mock.log())).toEqual({ 'gpt-4.1': 2, 'gemini-2.5-flash': 1 });
    // The harness's 20 ms backoff, not a default's: bounded loosely, the machine may be busy.
    expect(gapsFor(mock.log(), 'gpt-4.1')[0]).toBeLessThan(1000);
    await engine.close();
  });
});
