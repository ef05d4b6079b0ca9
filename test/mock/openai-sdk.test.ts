import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockProvider, startMockProvider } from '../../src/testing/index.ts';

let mock: MockProvider;
let client: OpenAI;
beforeAll(async () => {
  mock = await startMockProvider({ seed: 3, models: { 'gpt-mock': {} } });
  client = new OpenAI({ baseURL: mock.baseURLs.openai, apiKey: 'test-key', maxRetries: 0 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

const messages = [{ role: 'user' as const, content: 'Say something about retries.' }];

describe('the official openai client against a healthy mock', () => {
  it('creates a chat completion', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-mock',
      messages,
      max_completion_tokens: 40,
    });
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]?.message.content).toMatch(/\w/);
    expect(completion.choices[0]?.finish_reason).toMatch(/stop|length/);
    expect(completion.usage?.completion_tokens).toBe(mock.log()[0]?.tokensSent);
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it('streams chunks that add up to the non-streamed answer', async () => {
    const whole = await client.chat.completions.create({ model: 'gpt-mock', messages });
    const stream = await client.chat.completions.create({
      model: 'gpt-mock',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(whole.choices[0]?.message.content);
    expect(usage?.completion_tokens).toBe(whole.usage?.completion_tokens);
  });

  it('assembles chat.completions.stream() into a final completion', async () => {
    const runner = client.chat.completions.stream({ model: 'gpt-mock', messages, max_completion_tokens: 12 });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe('length');
    expect(final.choices[0]?.message.content?.split(' ')).toHaveLength(12);
  });

  it('lists models', async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toEqual(['gpt-mock']);
  });

  it('sees injected faults as its own error classes', async () => {
    const faulty = new OpenAI({
      baseURL: mock.baseURLs.openai,
      apiKey: 'k',
      maxRetries: 0,
      defaultHeaders: { 'x-mock-fault': '429 retry-after=1' },
    });
    const error = await faulty.chat.completions
      .create({ model: 'gpt-mock', messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).requestID).toMatch(/^req_/);
  });

  it('throws on the in-band error chunk of a stream', async () => {
    const stream = await client.chat.completions.create(
      { model: 'gpt-mock', messages, stream: true },
      { headers: { 'x-mock-fault': 'error_event at=3' } },
    );
    let text = '';
    const read = async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    };
    await expect(read()).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(text.split(' ')).toHaveLength(3);
  });
});
