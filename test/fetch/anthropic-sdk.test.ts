import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SDK_RETRY_WARNING } from '../../src/integrations/fetch/index.ts';
import { eventually, type FetchHarness, hits, startFetchHarness } from './support.ts';

let h: FetchHarness;
let sdk: Anthropic;
/** The same mock without outlast: what a healthy answer looks like. */
let direct: Anthropic;

beforeAll(async () => {
  h = await startFetchHarness(
    {
      'claude-down': { faults: [{ fault: '500' }] },
      'claude-cut': { faults: [{ fault: 'cut after=5', times: 1 }] },
      'claude-cut-healthy': { textKey: 'claude-cut' },
      'claude-limited': { faults: [{ fault: '429' }] },
      'claude-overloaded': { faults: [{ fault: '529' }] },
      'claude-slow': { tokenMs: 30, answerTokens: 200 },
      'claude-late': { firstTokenMs: 500 },
    },
    {
      routes: {
        claude: ['anthropic/claude-mock'],
        'claude-fallback': ['anthropic/claude-down', 'openai/gpt-mock'],
      },
    },
  );
  const common = { apiKey: 'unused', baseURL: h.mock.baseURLs.anthropic, maxRetries: 0 };
  sdk = new Anthropic({ ...common, fetch: h.fetch });
  direct = new Anthropic(common);
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => h.mock.reset());

const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Tell me about timeouts.' }];
const base = { max_tokens: 256, messages };

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer' } },
    required: ['city'],
  },
};

function textOf(message: Anthropic.Message): string {
  return message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
}

describe('@anthropic-ai/sdk with fetch: createFetch(...)', () => {
  it('creates a message through a route, with outlast request id and attempts in the headers', async () => {
    const { data, response, request_id } = await sdk.messages
      .create({ model: 'claude', ...base })
      .withResponse();
    const healthy = await direct.messages.create({ model: 'claude-mock', ...base });
    expect(data.type).toBe('message');
    expect(data.stop_reason).toBe('end_turn');
    expect(textOf(data)).toBe(textOf(healthy));
    expect(data.usage.output_tokens).toBe(healthy.usage.output_tokens);
    expect(request_id).toMatch(/^req_/);
    expect(request_id).toBe(response.headers.get('x-outlast-request-id'));
    expect(response.headers.get('x-outlast-model')).toBe('anthropic/claude-mock');
    expect(response.headers.get('x-outlast-attempts')).toBe('1');
    // The engine streams from the upstream even for a non-streaming call, with outlast's key.
    const [upstream] = h.mock.log();
    expect(upstream).toMatchObject({ format: 'anthropic', model: 'claude-mock', stream: true, status: 200 });
  });

  it('uses a provider/model or bare model name as is when no route has that name', async () => {
    const a = await sdk.messages.create({ model: 'anthropic/claude-mock', ...base });
    const b = await sdk.messages.create({ model: 'openai/gpt-mock', ...base });
    expect(a.content[0]?.type).toBe('text');
    expect(b.content[0]?.type).toBe('text');
    expect(hits(h.mock.log())).toEqual(['anthropic claude-mock', 'openai gpt-mock']);
  });

  it('streams with messages.stream(): text events add up to finalMessage()', async () => {
    const stream = sdk.messages.stream({ model: 'claude', ...base });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    const healthy = await direct.messages.create({ model: 'claude-mock', ...base });
    expect(text).toBe(textOf(healthy));
    expect(textOf(final)).toBe(text);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBe(healthy.usage.output_tokens);
  });

  it('streams with create({ stream: true }): the raw events in Anthropic order', async () => {
    const stream = await sdk.messages.create({ model: 'claude', ...base, stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    expect(types).toContain('content_block_delta');
    expect(types.at(-2)).toBe('message_delta');
  });

  it('runs a tool turn and the tool result turn, streamed and not', async () => {
    const params = {
      model: 'claude',
      ...base,
      tools: [weatherTool],
      tool_choice: { type: 'tool' as const, name: 'get_weather' },
    };
    const first = await sdk.messages.create(params);
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    expect(call?.name).toBe('get_weather');
    expect(typeof (call?.input as { city?: unknown } | undefined)?.city).toBe('string');

    const streamed = await sdk.messages.stream(params).finalMessage();
    const streamedCall = streamed.content.find((b) => b.type === 'tool_use');
    expect(streamedCall).toMatchObject({ type: 'tool_use', name: 'get_weather', input: call?.input });

    const answer = await sdk.messages.create({
      model: 'claude',
      ...base,
      tools: [weatherTool],
      messages: [
        ...messages,
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call!.id, content: 'sunny, 21 C' }] },
      ],
    });
    expect(answer.stop_reason).toBe('end_turn');
    expect(textOf(answer).length).toBeGreaterThan(0);
  });

  it('falls back across formats: an Anthropic SDK answered by the OpenAI-format upstream after the primary fails', async () => {
    const { data, response } = await sdk.messages
      .create({ model: 'claude-fallback', ...base })
      .withResponse();
    expect(data.type).toBe('message');
    expect(data.content[0]?.type).toBe('text');
    expect(data.stop_reason).toBe('end_turn');
    expect(response.headers.get('x-outlast-model')).toBe('openai/gpt-mock');
    expect(response.headers.get('x-outlast-attempts')).toBe('3');
    expect(hits(h.mock.log())).toEqual(['anthropic claude-down', 'anthropic claude-down', 'openai gpt-mock']);

    h.mock.reset();
    const streamed = await sdk.messages.stream({ model: 'claude-fallback', ...base }).finalMessage();
    expect(textOf(streamed)).toBe(textOf(data));
    expect(hits(h.mock.log()).at(-1)).toBe('openai gpt-mock');
  });

  it('hides a mid-stream cut: the stream completes with the full text', async () => {
    const stream = sdk.messages.stream({ model: 'anthropic/claude-cut', ...base });
    let text = '';
    const types: string[] = [];
    stream.on('text', (delta) => {
      text += delta;
    });
    stream.on('streamEvent', (event) => types.push(event.type));
    const final = await stream.finalMessage();
    const healthy = await direct.messages.create({ model: 'claude-cut-healthy', ...base });
    expect(text).toBe(textOf(healthy));
    expect(textOf(final)).toBe(textOf(healthy));
    expect(final.stop_reason).toBe('end_turn');
    // One message to the SDK, whatever happened underneath.
    expect(types.filter((t) => t === 'message_start')).toHaveLength(1);
    expect(types.filter((t) => t === 'message_stop')).toHaveLength(1);
    const log = h.mock.log().filter((e) => e.model === 'claude-cut');
    expect(log).toHaveLength(2);
    expect(log[0]?.fault).toMatch(/cut/);
    expect(log[1]).toMatchObject({ continuation: 'prefill', continuationMatched: true });
  });

  it('surfaces an exhausted route as the typed RateLimitError with requestID and attempts', async () => {
    const error = await sdk.messages.create({ model: 'anthropic/claude-limited', ...base }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const e = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.requestID).toMatch(/^req_/);
    expect(e.headers?.get('x-outlast-request-id')).toBe(e.requestID);
    expect(e.headers?.get('x-outlast-attempts')).toBe('2');
    expect(e.headers?.get('x-should-retry')).toBe('false');
    expect(e.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(h.mock.log()).toHaveLength(2);
  });

  it('surfaces an overloaded route as InternalServerError (529), streamed or not', async () => {
    for (const stream of [false, true]) {
      h.mock.reset();
      const error = await (stream
        ? sdk.messages.stream({ model: 'anthropic/claude-overloaded', ...base }).finalMessage()
        : sdk.messages.create({ model: 'anthropic/claude-overloaded', ...base })
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Anthropic.InternalServerError);
      const e = error as InstanceType<typeof Anthropic.InternalServerError>;
      expect(e.status).toBe(529);
      expect(e.requestID).toMatch(/^req_/);
      expect(e.headers?.get('x-outlast-attempts')).toBe('2');
      expect(e.error).toMatchObject({ error: { type: 'overloaded_error' } });
    }
  });

  it('answers a bad request with the SDK BadRequestError, without calling upstream', async () => {
    const error = await sdk.messages
      .create({
        model: 'claude',
        max_tokens: 16,
        messages: [],
        temperature: 'hot',
      } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).requestID).toMatch(/^req_/);
    expect(h.mock.log()).toHaveLength(0);
  });

  it("cancels a stream through the SDK's own signal: the upstream socket is closed", async () => {
    const controller = new AbortController();
    const stream = sdk.messages.stream(
      { model: 'anthropic/claude-slow', ...base },
      { signal: controller.signal },
    );
    let deltas = 0;
    stream.on('text', () => {
      deltas++;
      if (deltas === 3) controller.abort();
    });
    const error = await stream.finalMessage().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Anthropic.APIUserAbortError);
    await eventually(() => h.mock.log()[0]?.disconnected === true);
    expect(h.mock.log()).toHaveLength(1);
    expect(h.mock.log()[0]!.tokensSent).toBeLessThan(200);
  });

  it("cancels a call still waiting for its first token through the SDK's signal", async () => {
    const controller = new AbortController();
    const pending = sdk.messages.create(
      { model: 'anthropic/claude-late', ...base },
      { signal: controller.signal },
    );
    await eventually(() => h.mock.log().length === 1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(Anthropic.APIUserAbortError);
    await eventually(() => h.mock.log()[0]?.disconnected === true);
  });

  it('does not let an SDK with retries left on retry what outlast already retried', async () => {
    const retrying = new Anthropic({
      apiKey: 'unused',
      baseURL: h.mock.baseURLs.anthropic,
      maxRetries: 2,
      fetch: h.fetch,
    });
    await expect(
      retrying.messages.create({ model: 'anthropic/claude-limited', ...base }),
    ).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    expect(h.mock.log()).toHaveLength(2);
    expect(h.warnings).toEqual([]);
  });

  it('warns once when the SDK retries on top of outlast (here: its own timeout)', async () => {
    const retrying = new Anthropic({
      apiKey: 'unused',
      baseURL: h.mock.baseURLs.anthropic,
      maxRetries: 1,
      timeout: 100,
      fetch: h.fetch,
    });
    for (let i = 0; i < 2; i++) {
      await expect(
        retrying.messages.create({ model: 'anthropic/claude-late', ...base }),
      ).rejects.toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
    }
    expect(h.warnings).toEqual([SDK_RETRY_WARNING]);
    // Each SDK attempt reached the upstream once and was cancelled there when the SDK gave up.
    await eventually(() => h.mock.log().length === 4 && h.mock.log().every((e) => e.disconnected));
    h.warnings.length = 0;
  });

  it('passes other calls (the models list) through to the SDK base URL', async () => {
    const page = await sdk.models.list();
    expect(Array.isArray(page.data)).toBe(true);
    expect(h.mock.log()[0]).toMatchObject({ method: 'GET' });
  });
});
