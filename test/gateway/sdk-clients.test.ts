/**
 * The official SDKs and the AI SDK pointed at the gateway by base URL, against the mock
 * provider over real sockets: answers through a fallback between wire formats, streaming and
 * not, and each client's own typed error when the route is exhausted.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { APICallError, generateText, streamText } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/index.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

// The second wire format of the fallback pair.
const OTHER = 'gemini';
const OTHER_MODEL = 'gemini-up';

let harness: Harness;
let gateway: Gateway;
beforeAll(async () => {
  harness = await createHarness({
    defaults: { firstTokenMs: 0, tokenMs: 1, answerTokens: 12 },
    models: { 'gpt-down': { faults: ['529'] }, 'gemini-down': { faults: ['529'] } },
  });
  gateway = await harness.start({
    routes: {
      // First format down, the other answers; and the other way round.
      there: [`openai/gpt-down`, `${OTHER}/${OTHER_MODEL}`],
      back: [`${OTHER}/${OTHER}-down`, 'openai/gpt-up'],
      dead: ['openai/gpt-down', `${OTHER}/${OTHER}-down`],
    },
  });
});
afterAll(async () => {
  await harness.close();
});

const user = (text: string) => [{ role: 'user' as const, content: text }];

describe('openai SDK through the gateway', () => {
  const client = () => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });

  it.each([
    ['there', `${OTHER}/${OTHER_MODEL}`],
    ['back', 'openai/gpt-up'],
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
