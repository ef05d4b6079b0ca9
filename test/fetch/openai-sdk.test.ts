import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually, type FetchHarness, hits, startFetchHarness } from './support.ts';

let h: FetchHarness;
let sdk: OpenAI;
/** The same mock without outlast: what a healthy answer looks like. */
let direct: OpenAI;

beforeAll(async () => {
  h = await startFetchHarness(
    {
      'gpt-down': { faults: [{ fault: '500' }] },
      'gpt-cut': { faults: [{ fault: 'cut after=5', times: 1 }] },
      'gpt-cut-healthy': { textKey: 'gpt-cut' },
      'gpt-limited': { faults: [{ fault: '429' }] },
      'gpt-broken': { faults: [{ fault: '500' }] },
      'gpt-slow': { tokenMs: 30, answerTokens: 200 },
      'gpt-late': { firstTokenMs: 500 },
    },
    {
      routes: {
        gpt: ['openai/gpt-mock'],
        'gpt-fallback': ['openai/gpt-down', 'anthropic/claude-mock'],
      },
    },
  );
  const common = { apiKey: 'unused', baseURL: h.mock.baseURLs.openai, maxRetries: 0 };
  sdk = new OpenAI({ ...common, fetch: h.fetch });
  direct = new OpenAI(common);
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => h.mock.reset());

const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Tell me about timeouts.' }];

const weatherTool: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

async function streamedText(stream: AsyncIterable<OpenAI.ChatCompletionChunk>) {
  let text = '';
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
    text += chunk.choices[0]?.delta.content ?? '';
  }
  return { text, chunks };
}

describe('openai with fetch: createFetch(...)', () => {
  it('creates a chat completion through a route, with request id and attempts headers', async () => {
    const { data, response, request_id } = await sdk.chat.completions
      .create({ model: 'gpt', messages })
      .withResponse();
    const healthy = await direct.chat.completions.create({ model: 'gpt-mock', messages });
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]?.message.content).toBe(healthy.choices[0]?.message.content);
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage?.completion_tokens).toBe(healthy.usage?.completion_tokens);
    expect(request_id).toMatch(/^req_/);
    expect(request_id).toBe(response.headers.get('x-outlast-request-id'));
    expect(response.headers.get('x-outlast-model')).toBe('openai/gpt-mock');
    expect(response.headers.get('x-outlast-attempts')).toBe('1');
  });

  it('streams with stream: true, the usage chunk included when asked for', async () => {
    const healthy = await direct.chat.completions.create({ model: 'gpt-mock', messages });
    const { text, chunks } = await streamedText(
      await sdk.chat.completions.create({
        model: 'gpt',
        messages,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(text).toBe(healthy.choices[0]?.message.content);
    expect(chunks.some((c) => c.choices[0]?.finish_reason === 'stop')).toBe(true);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(healthy.usage?.completion_tokens);
  });

  it('streams with chat.completions.stream(): finalChatCompletion() reads whole', async () => {
    const healthy = await direct.chat.completions.create({ model: 'gpt-mock', messages });
    const stream = sdk.chat.completions.stream({ model: 'gpt', messages });
    let text = '';
    stream.on('content', (delta) => {
      text += delta;
    });
    const final = await stream.finalChatCompletion();
    expect(text).toBe(healthy.choices[0]?.message.content);
    expect(final.choices[0]?.message.content).toBe(text);
  });

  it('runs a tool call and the tool result turn, streamed and not', async () => {
    const params = { model: 'gpt', messages, tools: [weatherTool], tool_choice: 'required' as const };
    const first = await sdk.chat.completions.create(params);
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    const fn = call?.type === 'function' ? call.function : undefined;
    expect(fn?.name).toBe('get_weather');
    expect(typeof JSON.parse(fn?.arguments ?? '{}').city).toBe('string');

    const streamed = await sdk.chat.completions.stream(params).finalChatCompletion();
    const streamedCall = streamed.choices[0]?.message.tool_calls?.[0];
    expect(streamedCall?.type === 'function' ? streamedCall.function : undefined).toMatchObject({
      name: 'get_weather',
      arguments: fn?.arguments,
    });

    const answer = await sdk.chat.completions.create({
      model: 'gpt',
      tools: [weatherTool],
      messages: [
        ...messages,
        first.choices[0]!.message,
        { role: 'tool', tool_call_id: call!.id, content: 'sunny, 21 C' },
      ],
    });
    expect(answer.choices[0]?.finish_reason).toBe('stop');
    expect(answer.choices[0]?.message.content?.length).toBeGreaterThan(0);
  });

  it('falls back across formats: an OpenAI SDK answered by the Anthropic-format upstream', async () => {
    const { data, response } = await sdk.chat.completions
      .create({ model: 'gpt-fallback', messages })
      .withResponse();
    expect(data.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(response.headers.get('x-outlast-model')).toBe('anthropic/claude-mock');
    expect(hits(h.mock.log())).toEqual(['openai gpt-down', 'openai gpt-down', 'anthropic claude-mock']);

    h.mock.reset();
    const { text } = await streamedText(
      await sdk.chat.completions.create({ model: 'gpt-fallback', messages, stream: true }),
    );
    expect(text).toBe(data.choices[0]?.message.content);
  });

  it('hides a mid-stream cut: the stream completes with the full text', async () => {
    const healthy = await direct.chat.completions.create({ model: 'gpt-cut-healthy', messages });
    h.mock.reset();
    const { text, chunks } = await streamedText(
      await sdk.chat.completions.create({ model: 'openai/gpt-cut', messages, stream: true }),
    );
    expect(text).toBe(healthy.choices[0]?.message.content);
    expect(chunks.filter((c) => c.choices[0]?.finish_reason)).toHaveLength(1);
    const log = h.mock.log();
    expect(log).toHaveLength(2);
    expect(log[0]?.fault).toMatch(/cut/);
    // OpenAI takes no assistant prefill: the second request asks to continue, and the overlap is dropped.
    expect(log[1]).toMatchObject({ continuation: 'continue', continuationMatched: true });
  });

  it('surfaces an exhausted route as the typed RateLimitError / InternalServerError with requestID', async () => {
    const limited = await sdk.chat.completions.create({ model: 'openai/gpt-limited', messages }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    const e = limited as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.requestID).toMatch(/^req_/);
    expect(e.headers?.get('x-outlast-request-id')).toBe(e.requestID);
    expect(e.headers?.get('x-outlast-attempts')).toBe('2');
    expect(e.code).toBe('rate_limit_exceeded');

    const broken = await sdk.chat.completions
      .create({ model: 'openai/gpt-broken', messages, stream: true })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(broken).toBeInstanceOf(OpenAI.InternalServerError);
    expect(
      (broken as InstanceType<typeof OpenAI.InternalServerError>).headers?.get('x-outlast-attempts'),
    ).toBe('2');
  });

  it("cancels a stream through the SDK's own signal: the upstream socket is closed", async () => {
    const controller = new AbortController();
    const stream = await sdk.chat.completions.create(
      { model: 'openai/gpt-slow', messages, stream: true },
      { signal: controller.signal },
    );
    let chunks = 0;
    // The openai SDK ends an aborted stream quietly (as it does over the platform's fetch).
    for await (const _ of stream) if (++chunks === 3) controller.abort();
    expect(chunks).toBe(3);
    await eventually(() => h.mock.log()[0]?.disconnected === true);
    expect(h.mock.log()).toHaveLength(1);
  });

  it("cancels a call still waiting for its first token through the SDK's signal", async () => {
    const controller = new AbortController();
    const pending = sdk.chat.completions.create(
      { model: 'openai/gpt-late', messages, stream: true },
      { signal: controller.signal },
    );
    await eventually(() => h.mock.log().length === 1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    await eventually(() => h.mock.log()[0]?.disconnected === true);
    expect(h.mock.log()[0]?.tokensSent).toBe(0);
  });

  it('passes other calls (the models list) through', async () => {
    const page = await sdk.models.list();
    expect(Array.isArray(page.data)).toBe(true);
    expect(h.mock.log()[0]).toMatchObject({ method: 'GET' });
  });
});
