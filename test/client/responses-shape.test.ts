/** `client.responses.create()` over the mock: the Response object, its event stream, fallbacks, continuation, errors. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type OutlastClient } from '../../src/client/index.ts';
import type { EngineOptions } from '../../src/engine/index.ts';
import { OutlastError } from '../../src/errors/index.ts';
import type { MockProvider } from '../../src/testing/index.ts';
import { attemptsByModel, FAST, providersFor, startMock } from '../engine/support/harness.ts';

let mock: MockProvider;
let client: OutlastClient | undefined;
beforeAll(async () => {
  mock = await startMock();
});
afterEach(async () => {
  await client?.close();
  client = undefined;
  mock.setScenario({});
  mock.reset();
});
afterAll(async () => {
  await mock.close();
});

function make(options: Partial<EngineOptions> = {}): OutlastClient {
  client = createClient({
    providers: providersFor(mock),
    routes: { default: ['anthropic/claude-sonnet-4-5', 'openai/gpt-4.1'] },
    ...FAST,
    ...options,
  });
  return client;
}

describe('responses.create', () => {
  it('returns a Response from the target that answered after a 529, with output_text and its trace', async () => {
    mock.setScenario({ models: { 'claude-sonnet-4-5': { faults: ['529'] } } });
    const { data, trace } = await make()
      .responses.create({ model: 'default', input: 'Tell me about resilience.', max_output_tokens: 80 })
      .withTrace();
    expect(data).toMatchObject({ object: 'response', status: 'completed', max_output_tokens: 80 });
    expect(data.model).toContain('gpt-4.1');
    expect(data.output_text.length).toBeGreaterThan(10);
    expect(data.output[0]?.type).toBe('message');
    expect(data.usage?.output_tokens).toBeGreaterThan(0);
    expect(trace).toMatchObject({ outcome: 'success', fallbacks: 1, answeredBy: { provider: 'openai' } });
    const attempts = attemptsByModel(mock.log());
    expect(attempts['claude-sonnet-4-5']).toBeGreaterThanOrEqual(1);
    expect(attempts['gpt-4.1']).toBe(1);
  });

  it('stream: true yields the Responses events, and a cut stream is continued into the whole answer', async () => {
    const c = make();
    const whole = await c.responses.create({ model: 'default', input: 'Tell me about resilience.' });
    mock.reset();
    mock.setScenario({ models: { 'claude-sonnet-4-5': { faults: [{ fault: 'cut after=5', times: 1 }] } } });
    const stream = await c.responses.create({
      model: 'default',
      input: 'Tell me about resilience.',
      stream: true,
    });
    let text = '';
    const types: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta as string;
    }
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(text).toBe(whole.output_text);
    expect((await stream.trace).continued).toBe(true);
  });

  it('a stream that cannot be continued ends with error and response.failed', async () => {
    mock.setScenario({
      models: { 'claude-sonnet-4-5': { faults: ['cut after=4'] }, 'gpt-4.1': { faults: ['cut after=4'] } },
    });
    const stream = await make().responses.create({ model: 'default', input: 'hello', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.slice(-2)).toEqual(['error', 'response.failed']);
    expect(types).toContain('response.output_text.delta');
  });

  it('bad params and an exhausted route reject with an OutlastError', async () => {
    const bad = await make()
      .responses.create({ model: 'default', input: 'x', previous_response_id: 'resp_1' })
      .catch((e: unknown) => e);
    expect(OutlastError.isInstance(bad) && bad.kind).toBe('bad_request');
    mock.setScenario({
      models: { 'claude-sonnet-4-5': { faults: ['401'] }, 'gpt-4.1': { faults: ['403'] } },
    });
    const exhausted = await client!.responses
      .create({ model: 'default', input: 'x', stream: true })
      .catch((e: unknown) => e);
    expect(OutlastError.isInstance(exhausted) && exhausted.attempts?.length).toBe(2);
  });
});
