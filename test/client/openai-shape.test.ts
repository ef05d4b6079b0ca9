/** The OpenAI-shaped methods over the mock: shapes, streaming with usage, fallbacks across formats, traces. */
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
    routes: { default: ['openai/gpt-4.1', 'gemini/gemini-2.5-flash'] },
    ...FAST,
    ...options,
  });
  return client;
}
const messages = [{ role: 'user', content: 'Tell me about resilience.' }];

describe('chat.completions.create', () => {
  it('returns a ChatCompletion from the model that answered, with its trace', async () => {
    mock.setScenario({ models: { 'gpt-4.1': { faults: ['500'] } } });
    const { data, trace } = await make()
      .chat.completions.create({ model: 'default', messages, max_tokens: 50 })
      .withTrace();
    expect(data).toMatchObject({
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant' } }],
    });
    expect(data.model).toContain('gemini-2.5-flash');
    expect(typeof data.choices[0]!.message.content).toBe('string');
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
    expect(trace).toMatchObject({
      outcome: 'success',
      retries: 1,
      fallbacks: 1,
      answeredBy: { provider: 'gemini' },
    });
    expect(attemptsByModel(mock.log())).toEqual({ 'gpt-4.1': 2, 'gemini-2.5-flash': 1 });
    expect(mock.log().every((e) => e.stream)).toBe(true);
  });

  it('stream: true yields chunks, finish reason, and a usage chunk when asked', async () => {
    const stream = await make().chat.completions.create({
      model: 'default',
      messages,
      max_tokens: 50,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text.length).toBeGreaterThan(10);
    expect(
      chunks.some((c) => c.choices[0]?.finish_reason === 'stop' || c.choices[0]?.finish_reason === 'length'),
    ).toBe(true);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('a stream cut mid-answer is continued: the chunks read as the whole answer', async () => {
    const c = make();
    const whole = await c.chat.completions.create({ model: 'default', messages, max_tokens: 60 });
    mock.reset();
    mock.setScenario({ models: { 'gpt-4.1': { faults: [{ fault: 'cut after=5', times: 1 }] } } });
    const stream = await c.chat.completions.create({
      model: 'default',
      messages,
      max_tokens: 60,
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(whole.choices[0]!.message.content);
    expect((await stream.trace).continued).toBe(true);
  });

  it('a failure before any content rejects the promise with an OutlastError carrying attempts', async () => {
    mock.setScenario({ models: { 'gpt-4.1': { faults: ['401'] }, 'gemini-2.5-flash': { faults: ['403'] } } });
    const error = await make()
      .chat.completions.create({ model: 'default', messages, stream: true })
      .catch((e: unknown) => e);
    expect(OutlastError.isInstance(error)).toBe(true);
    expect((error as OutlastError).kind).toBe('auth');
    expect((error as OutlastError).attempts).toHaveLength(2);
  });

  it('invalid params fail with a bad_request naming the field', async () => {
    const error = await make()
      .chat.completions.create({ model: 'default', messages: 'nope' as unknown as unknown[] })
      .catch((e: unknown) => e);
    expect((error as OutlastError).kind).toBe('bad_request');
    expect((error as OutlastError).message).toMatch(/messages/);
    expect(mock.log()).toHaveLength(0);
  });
});
