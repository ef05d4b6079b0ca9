/**
 * The official SDKs and the AI SDK pointed at the gateway by base URL, against the mock
 * provider over real sockets: answers through a fallback between wire formats, streaming and
 * not, and each client's own typed error when the route is exhausted.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import Anthropic from '@anthropic-ai/sdk';
import { APICallError, generateText, streamText } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/index.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

let harness: Harness;
let gateway: Gateway;
beforeAll(async () => {
  harness = await createHarness({
    defaults: { firstTokenMs: 0, tokenMs: 1, answerTokens: 12 },
    models: { 'claude-down': { faults: ['529'] }, 'gpt-down': { faults: ['529'] } },
  });
  gateway = await harness.start({
    // Every call meets the failure (no breaker skipping the down targets after a few tests).
    breaker: false,
    routes: {
      // An Anthropic-format upstream down, an OpenAI-format one answers; and the other way round.
      there: ['anthropic/claude-down', 'openai/gpt-up'],
      back: ['openai/gpt-down', 'anthropic/claude-up'],
      dead: ['anthropic/claude-down', 'openai/gpt-down'],
    },
  });
});
afterAll(async () => {
  await harness.close();
});

const user = (text: string) => [{ role: 'user' as const, content: text }];

describe('@anthropic-ai/sdk through the gateway', () => {
  const client = () => new Anthropic({ baseURL: gateway.url, apiKey: GATEWAY_KEY, maxRetries: 0 });
  const params = (model: string) => ({ model, max_tokens: 200, messages: user('hello') });

  it.each([
    ['there', 'openai/gpt-up'],
    ['back', 'anthropic/claude-up'],
  ])('answers over route %s from %s', async (route, answered) => {
    const { data, response } = await client().messages.create(params(route)).withResponse();
    expect(data.type).toBe('message');
    expect(data.content[0]?.type).toBe('text');
    expect(data.stop_reason).toBe('end_turn');
    expect(response.headers.get('x-outlast-model')).toBe(answered);
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    expect(Number(response.headers.get('x-outlast-attempts'))).toBeGreaterThan(1);
  });

  it.each(['there', 'back'])(
    'streams over route %s (messages.stream and create with stream)',
    async (route) => {
      const final = await client().messages.stream(params(route)).finalMessage();
      expect(final.content[0]?.type === 'text' && final.content[0].text.length).toBeGreaterThan(0);
      expect(final.stop_reason).toBe('end_turn');
      const events = await client().messages.create({ ...params(route), stream: true });
      const types: string[] = [];
      for await (const event of events) types.push(event.type);
      expect(types[0]).toBe('message_start');
      expect(types.at(-1)).toBe('message_stop');
      expect(types).toContain('content_block_delta');
    },
  );

  it('lists the routes and models', async () => {
    const ids: string[] = [];
    for await (const model of client().models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['there', 'back', 'dead', 'anthropic/claude-up']));
  });

  it('raises its typed error when the route is exhausted: 529 overloaded', async () => {
    const error = await client()
      .messages.create(params('dead'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.status).toBe(529);
    expect(apiError.requestID).toMatch(/^req_/);
    expect((apiError.error as { error?: { type?: string } }).error?.type).toBe('overloaded_error');
    const streamed = await client()
      .messages.stream(params('dead'))
      .finalMessage()
      .catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(Anthropic.APIError);
    expect((streamed as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
  });
});

describe('AI SDK (Anthropic provider) through the gateway', () => {
  const provider = () => createAnthropic({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY });

  it.each(['there', 'back'])('generateText and streamText over route %s', async (route) => {
    const generated = await generateText({ model: provider()(route), prompt: 'hello', maxRetries: 0 });
    expect(generated.text.length).toBeGreaterThan(0);
    expect(generated.finishReason).toBe('stop');
    const streamed = streamText({ model: provider()(route), prompt: 'hello', maxRetries: 0 });
    let text = '';
    for await (const delta of streamed.textStream) text += delta;
    expect(text.length).toBeGreaterThan(0);
    expect(await streamed.finishReason).toBe('stop');
  });

  it('raises APICallError when the route is exhausted', async () => {
    const error = await generateText({ model: provider()('dead'), prompt: 'hello', maxRetries: 0 }).catch(
      (e: unknown) => e,
    );
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).statusCode).toBe(529);
    const errors: unknown[] = [];
    const streamed = streamText({
      model: provider()('dead'),
      prompt: 'hello',
      maxRetries: 0,
      onError: ({ error: e }) => {
        errors.push(e);
      },
    });
    for await (const _ of streamed.textStream) {
      // drained for the error
    }
    expect(errors.some((e) => APICallError.isInstance(e))).toBe(true);
  });
});

describe('openai SDK through the gateway', () => {
  const client = () => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });

  it.each([
    ['there', 'openai/gpt-up'],
    ['back', 'anthropic/claude-up'],
  ])('answers over route %s from %s', async (route, answered) => {
    const { data, response } = await client()
      .chat.completions.create({ model: route, messages: user('hello') })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(response.headers.get('x-outlast-model')).toBe(answered);
    expect(Number(response.headers.get('x-outlast-attempts'))).toBeGreaterThan(1);
  });

  it.each(['there', 'back'])('streams over route %s', async (route) => {
    const stream = await client().chat.completions.create({
      model: route,
      messages: user('hello'),
      stream: true,
    });
    let text = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(finish).toBe('stop');
  });

  it.each([true, false])(
    'streams a usage chunk only when asked (include_usage: %s)',
    async (includeUsage) => {
      const stream = await client().chat.completions.create({
        model: 'there',
        messages: user('hello'),
        stream: true,
        stream_options: { include_usage: includeUsage },
      });
      const usage: unknown[] = [];
      for await (const chunk of stream) if (chunk.usage) usage.push(chunk.usage);
      if (includeUsage) {
        expect(usage).toHaveLength(1);
        expect(usage[0]).toMatchObject({
          completion_tokens: expect.any(Number),
          prompt_tokens: expect.any(Number),
        });
      } else {
        expect(usage).toEqual([]);
      }
    },
  );

  it('lists the routes and models', async () => {
    const ids: string[] = [];
    for await (const model of client().models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['there', 'back', 'dead', 'openai/gpt-up']));
  });

  it('raises its typed error when the route is exhausted', async () => {
    const error = await client()
      .chat.completions.create({ model: 'dead', messages: user('hello') })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBeGreaterThanOrEqual(500);
    expect((error as InstanceType<typeof OpenAI.APIError>).requestID).toMatch(/^req_/);
    const streamed = await client()
      .chat.completions.create({ model: 'dead', messages: user('hello'), stream: true })
      .catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(OpenAI.APIError);
  });
});

describe('AI SDK (OpenAI provider) through the gateway', () => {
  const provider = () => createOpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY });

  it.each(['there', 'back'])('generateText and streamText over route %s', async (route) => {
    const generated = await generateText({ model: provider().chat(route), prompt: 'hello', maxRetries: 0 });
    expect(generated.text.length).toBeGreaterThan(0);
    expect(generated.finishReason).toBe('stop');
    const streamed = streamText({ model: provider().chat(route), prompt: 'hello', maxRetries: 0 });
    let text = '';
    for await (const delta of streamed.textStream) text += delta;
    expect(text.length).toBeGreaterThan(0);
    expect(await streamed.finishReason).toBe('stop');
  });

  it('raises APICallError when the route is exhausted', async () => {
    const error = await generateText({
      model: provider().chat('dead'),
      prompt: 'hello',
      maxRetries: 0,
    }).catch((e: unknown) => e);
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).statusCode).toBeGreaterThanOrEqual(500);
    const errors: unknown[] = [];
    const streamed = streamText({
      model: provider().chat('dead'),
      prompt: 'hello',
      maxRetries: 0,
      onError: ({ error: e }) => {
        errors.push(e);
      },
    });
    for await (const _ of streamed.textStream) {
      // drained for the error
    }
    expect(errors.some((e) => APICallError.isInstance(e))).toBe(true);
  });
});
