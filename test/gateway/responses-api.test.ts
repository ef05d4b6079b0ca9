/**
 * `POST /v1/responses` with the official `openai` SDK and the AI SDK's default OpenAI provider
 * (which calls the Responses API), against the mock provider over real sockets: text and
 * function calls, streamed and not, a fallback across wire formats after a 529, a stream cut
 * mid-answer continued invisibly, and the SDK's typed error when the route is exhausted.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { APICallError, generateText, jsonSchema, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/index.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

let harness: Harness;
let gateway: Gateway;
beforeAll(async () => {
  harness = await createHarness({
    defaults: { firstTokenMs: 0, tokenMs: 1, answerTokens: 16 },
    models: {
      'claude-down': { faults: ['529'] },
      'gpt-down': { faults: ['529'] },
      'claude-cut': { faults: [{ fault: 'cut after=6', times: 1 }] },
      'gpt-cut': { faults: [{ fault: 'cut after=6', times: 1 }] },
      'gpt-broken': { faults: ['cut after=4'] },
    },
  });
  gateway = await harness.start({
    breaker: false,
    routes: {
      there: ['anthropic/claude-down', 'openai/gpt-up'],
      back: ['openai/gpt-down', 'anthropic/claude-up'],
      dead: ['anthropic/claude-down', 'openai/gpt-down'],
      'cut-claude': ['anthropic/claude-cut'],
      'cut-gpt': ['openai/gpt-cut'],
      broken: ['openai/gpt-broken'],
    },
  });
});
afterAll(async () => {
  await harness.close();
});

const client = () => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });

const weather = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: true,
};

describe('openai SDK: client.responses.create', () => {
  it.each([
    ['there', 'openai/gpt-up'],
    ['back', 'anthropic/claude-up'],
  ])('answers over route %s from %s after the primary answered 529', async (route, answered) => {
    const { data, response } = await client()
      .responses.create({
        model: route,
        input: 'hello there',
        instructions: 'Be brief.',
        max_output_tokens: 300,
      })
      .withResponse();
    expect(data.object).toBe('response');
    expect(data.id).toMatch(/^resp_/);
    expect(data.status).toBe('completed');
    expect(data.instructions).toBe('Be brief.');
    expect(data.max_output_tokens).toBe(300);
    expect(data.output_text.length).toBeGreaterThan(0);
    const message = data.output[0];
    expect(message?.type).toBe('message');
    expect(message?.type === 'message' && message.content[0]?.type).toBe('output_text');
    expect(data.usage?.output_tokens).toBeGreaterThan(0);
    expect(data.usage?.total_tokens).toBe((data.usage?.input_tokens ?? 0) + (data.usage?.output_tokens ?? 0));
    expect(response.headers.get('x-outlast-model')).toBe(answered);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(Number(response.headers.get('x-outlast-attempts'))).toBeGreaterThan(1);
  });

  it.each(['there', 'back'])('calls a function and takes its output back over route %s', async (route) => {
    const first = await client().responses.create({
      model: route,
      input: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [weather],
      tool_choice: 'required',
    });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call?.type).toBe('function_call');
    if (call?.type !== 'function_call') return;
    expect(call.name).toBe('get_weather');
    expect(call.call_id.length).toBeGreaterThan(0);
    expect(typeof JSON.parse(call.arguments).city).toBe('string');
    const second = await client().responses.create({
      model: route,
      input: [
        { role: 'user', content: 'What is the weather in Paris?' },
        call,
        { type: 'function_call_output', call_id: call.call_id, output: '{"temperature": 21}' },
      ],
      tools: [weather],
    });
    expect(second.status).toBe('completed');
    expect(second.output_text.length).toBeGreaterThan(0);
  });

  it('answers 400 naming what needs OpenAI’s own Responses API', async () => {
    const previous = await client()
      .responses.create({ model: 'there', input: 'hi', previous_response_id: 'resp_123' })
      .catch((e: unknown) => e);
    expect(previous).toBeInstanceOf(OpenAI.BadRequestError);
    expect((previous as Error).message).toContain('previous_response_id');
    const hosted = await client()
      .responses.create({ model: 'there', input: 'hi', tools: [{ type: 'web_search' }] })
      .catch((e: unknown) => e);
    expect(hosted).toBeInstanceOf(OpenAI.BadRequestError);
    expect((hosted as Error).message).toContain('tools.0.type');
  });

  it('raises its typed error when the route is exhausted', async () => {
    const error = await client()
      .responses.create({ model: 'dead', input: 'hello' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(503);
    expect(apiError.requestID).toMatch(/^req_/);
    const streamed = await client()
      .responses.stream({ model: 'dead', input: 'hello' })
      .finalResponse()
      .catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(OpenAI.APIError);
    expect((streamed as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
  });
});

describe('openai SDK: client.responses.stream', () => {
  it.each(['there', 'back'])('streams text over route %s in the Responses event order', async (route) => {
    const stream = client().responses.stream({ model: route, input: 'hello' });
    const events: Array<{ type: string; sequence_number: number }> = [];
    let text = '';
    for await (const event of stream) {
      events.push(event);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    const final = await stream.finalResponse();
    const types = events.map((e) => e.type);
    expect(types.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(types.slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(text.length).toBeGreaterThan(0);
    expect(final.output_text).toBe(text);
    expect(final.status).toBe('completed');
  });

  it.each(['there', 'back'])('streams a function call over route %s', async (route) => {
    const stream = client().responses.stream({
      model: route,
      input: 'What is the weather in Paris?',
      tools: [weather],
      tool_choice: 'required',
    });
    let args = '';
    const types: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.function_call_arguments.delta') args += event.delta;
    }
    expect(types).toContain('response.function_call_arguments.done');
    const final = await stream.finalResponse();
    const call = final.output.find((item) => item.type === 'function_call');
    expect(call?.type === 'function_call' && call.arguments).toBe(args);
    expect(JSON.parse(args)).toEqual({ city: expect.any(String) });
  });

  it.each(['cut-claude', 'cut-gpt'])(
    'continues a stream cut mid-answer invisibly over route %s',
    async (route) => {
      const cut = client().responses.stream({ model: route, input: 'tell me a story' });
      let text = '';
      const types: string[] = [];
      for await (const event of cut) {
        types.push(event.type);
        if (event.type === 'response.output_text.delta') text += event.delta;
      }
      expect(types.at(-1)).toBe('response.completed');
      expect(types).not.toContain('error');
      // The fault fired once; the same conversation now answers whole: the same text.
      const whole = await client().responses.create({ model: route, input: 'tell me a story' });
      expect(text).toBe(whole.output_text);
      const log = harness.mock.log().filter((e) => e.model === route.replace('cut-', '') + '-cut');
      expect(log.length).toBeGreaterThanOrEqual(3);
    },
  );
});

describe('openai SDK: a stream that fails after the commit point', () => {
  it('gets an error event and response.failed, which the SDK raises as its APIError', async () => {
    const raw = await fetch(`${gateway.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'broken', input: 'hello', stream: true }),
    });
    expect(raw.status).toBe(200);
    const frames = (await raw.text()).split('\n\n').filter((f) => f.startsWith('event: '));
    const names = frames.map((f) => f.slice('event: '.length, f.indexOf('\n')));
    expect(names).toContain('response.output_text.delta');
    expect(names.slice(-2)).toEqual(['error', 'response.failed']);
    const failed = JSON.parse(frames.at(-1)!.slice(frames.at(-1)!.indexOf('data: ') + 6));
    expect(failed.response).toMatchObject({ status: 'failed', error: { code: 'server_error' } });

    const stream = client().responses.stream({ model: 'broken', input: 'hello' });
    let deltas = 0;
    const error = await (async () => {
      for await (const event of stream) if (event.type === 'response.output_text.delta') deltas++;
    })().catch((e: unknown) => e);
    expect(deltas).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain('stream');
  });
});

describe('AI SDK default OpenAI provider (Responses API) through the gateway', () => {
  const provider = () => createOpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY });

  it.each(['there', 'back'])('generateText and streamText over route %s', async (route) => {
    const generated = await generateText({ model: provider()(route), prompt: 'hello', maxRetries: 0 });
    expect(generated.text.length).toBeGreaterThan(0);
    expect(generated.finishReason).toBe('stop');
    expect(generated.usage.outputTokens).toBeGreaterThan(0);
    const streamed = streamText({ model: provider()(route), prompt: 'hello', maxRetries: 0 });
    let text = '';
    for await (const delta of streamed.textStream) text += delta;
    expect(text.length).toBeGreaterThan(0);
    expect(await streamed.finishReason).toBe('stop');
  });

  it('calls a tool through generateText', async () => {
    const generated = await generateText({
      model: provider()('back'),
      prompt: 'What is the weather in Paris?',
      tools: {
        get_weather: tool({
          description: 'The weather in a city',
          inputSchema: jsonSchema<{ city: string }>({
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
          }),
        }),
      },
      toolChoice: 'required',
      maxRetries: 0,
    });
    expect(generated.toolCalls[0]?.toolName).toBe('get_weather');
    expect(generated.finishReason).toBe('tool-calls');
  });

  it('raises APICallError when the route is exhausted', async () => {
    const error = await generateText({ model: provider()('dead'), prompt: 'hello', maxRetries: 0 }).catch(
      (e: unknown) => e,
    );
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).statusCode).toBe(503);
  });
});
