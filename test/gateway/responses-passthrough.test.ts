/**
 * `POST /v1/responses` towards an upstream that is OpenAI's own Responses API (`responses: true`),
 * with the official `openai` SDK over real sockets against the mock provider (which serves
 * `/v1/responses` as OpenAI does, storing its answers): the request goes as it came and the
 * answer comes back unchanged, so `previous_response_id` chains work, streamed and not; a
 * request that needs the Responses API skips every other target and gets a 400 naming the field
 * when none is left; a fallback to an Anthropic target after a 529 is translated; a stream cut
 * after the commit point ends with OpenAI's own error events, never a stitched answer.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/index.ts';
import { providersFor } from '../engine/support/harness.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

let harness: Harness;
let gateway: Gateway;
beforeAll(async () => {
  harness = await createHarness({
    defaults: { firstTokenMs: 0, tokenMs: 1, answerTokens: 16 },
    models: {
      'gpt-down': { faults: ['529'] },
      'gpt-cut': { faults: ['cut after=6'] },
    },
  });
  const providers = providersFor(harness.mock);
  gateway = await harness.start({
    breaker: false,
    providers: {
      ...providers,
      oai: { ...providers.openai, responses: true },
      other: { ...providers.openai, responses: true },
    },
    routes: {
      direct: ['oai/gpt-up'],
      mixed: ['anthropic/claude-up', 'openai/gpt-up', 'oai/gpt-up'],
      translated: ['anthropic/claude-up', 'openai/gpt-up'],
      fallback: ['oai/gpt-down', 'anthropic/claude-up'],
      cut: ['oai/gpt-cut', 'anthropic/claude-up'],
      two: ['other/gpt-up', 'oai/gpt-up'],
    },
  });
});
afterAll(async () => {
  await harness.close();
});

const client = () => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
const responsesCalls = () => harness.mock.log().filter((e) => e.path.startsWith('/v1/responses'));

describe('Responses API passthrough', () => {
  it('sends the request as it came and answers with the upstream’s own Response', async () => {
    harness.mock.reset();
    const first = await client().responses.create({
      model: 'direct',
      input: 'Say hello.',
      store: true,
      metadata: { run: 'one' },
    });
    expect(first.id).toMatch(/^resp_/);
    // Only OpenAI's own API stores: a translated answer says `store: false`.
    expect((first as unknown as { store: boolean }).store).toBe(true);
    expect(first.output_text.length).toBeGreaterThan(0);
    expect(responsesCalls()).toHaveLength(1);
    const second = await client().responses.create({
      model: 'direct',
      input: 'And again.',
      previous_response_id: first.id,
    });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.id).not.toBe(first.id);
    const unknown = await client()
      .responses.create({ model: 'direct', input: 'x', previous_response_id: 'resp_nowhere' })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.BadRequestError);
    expect((unknown as Error).message).toContain("Previous response with id 'resp_nowhere' not found");
  });

  it('streams the upstream’s events unchanged, chained with previous_response_id', async () => {
    const stream = client().responses.stream({ model: 'direct', input: 'Stream please.' });
    const types: string[] = [];
    const sequence: number[] = [];
    for await (const event of stream) {
      types.push(event.type);
      sequence.push(event.sequence_number);
    }
    const final = await stream.finalResponse();
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(sequence).toEqual(sequence.map((_, i) => i));
    expect(final.output_text.length).toBeGreaterThan(0);
    const next = client().responses.stream({
      model: 'direct',
      input: 'More.',
      previous_response_id: final.id,
    });
    const chained = await next.finalResponse();
    expect(chained.previous_response_id).toBe(final.id);
  });

  it('skips every target that is not the Responses API for what only it serves, and says so', async () => {
    const first = await client().responses.create({ model: 'direct', input: 'Remember this.' });
    const before = harness.mock.log().length;
    // The Anthropic and Chat Completions targets cannot continue a stored response: skipped.
    const chained = await client()
      .responses.create({ model: 'mixed', input: 'Go on.', previous_response_id: first.id })
      .withResponse();
    expect(chained.data.previous_response_id).toBe(first.id);
    expect(chained.response.headers.get('x-outlast-model')).toBe('oai/gpt-up');
    expect(
      harness.mock
        .log()
        .slice(before)
        .map((e) => e.path),
    ).toEqual(['/v1/responses']);
    // A route with no Responses API target: a 400 naming the field and why.
    const refused = await client()
      .responses.create({ model: 'translated', input: 'x', previous_response_id: first.id })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as Error).message).toContain('previous_response_id');
    expect((refused as Error).message).toContain('Responses API');
    const hosted = await client()
      .responses.create({ model: 'translated', input: 'x', tools: [{ type: 'web_search' }] })
      .catch((e: unknown) => e);
    expect(hosted).toBeInstanceOf(OpenAI.BadRequestError);
    expect((hosted as Error).message).toContain('tools.0.type');
    // Towards the Responses API the hosted tool goes as it came.
    const sent = harness.mock.log().length;
    const searched = await client().responses.create({
      model: 'mixed',
      input: 'x',
      tools: [{ type: 'web_search' }],
    });
    expect(searched.status).toBe('completed');
    expect(
      harness.mock
        .log()
        .slice(sent)
        .map((e) => e.path),
    ).toEqual(['/v1/responses']);
  });

  it('a response chained to one provider goes to that provider only', async () => {
    const first = await client().responses.create({ model: 'direct', input: 'Held by oai.' }).withResponse();
    expect(first.response.headers.get('x-outlast-model')).toBe('oai/gpt-up');
    // `two` puts another Responses provider first: it does not hold the response, so it is skipped.
    const chained = await client()
      .responses.create({ model: 'two', input: 'Next.', previous_response_id: first.data.id })
      .withResponse();
    expect(chained.response.headers.get('x-outlast-model')).toBe('oai/gpt-up');
  });

  it('falls back across formats after a 529, translated', async () => {
    const answer = await client().responses.create({ model: 'fallback', input: 'Hello.' }).withResponse();
    expect(answer.response.headers.get('x-outlast-model')).toBe('anthropic/claude-up');
    expect(answer.data.status).toBe('completed');
    expect(answer.data.output_text.length).toBeGreaterThan(0);
    const stream = client().responses.stream({ model: 'fallback', input: 'Hello.' });
    const final = await stream.finalResponse();
    expect(final.output_text.length).toBeGreaterThan(0);
  });

  it('a relayed stream cut after the commit point ends with OpenAI’s error events, not a stitched answer', async () => {
    harness.mock.reset();
    const stream = client().responses.stream({ model: 'cut', input: 'A long answer.' });
    const types: string[] = [];
    const error = await (async () => {
      for await (const event of stream) types.push(event.type);
    })().catch((e: unknown) => e);
    expect(types).toContain('response.output_text.delta');
    expect(types).not.toContain('response.completed');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    // Nothing was asked of the Anthropic target: a continuation would be another response.
    expect(harness.mock.log().map((e) => e.path)).toEqual(['/v1/responses']);
  });

  it('a call that does not stream fetches one JSON body, so a cut is retried invisibly', async () => {
    harness.mock.reset();
    const answer = await client().responses.create({ model: 'cut', input: 'A long answer.' }).withResponse();
    expect(answer.data.status).toBe('completed');
    expect(answer.response.headers.get('x-outlast-model')).toBe('anthropic/claude-up');
    const calls = harness.mock.log();
    expect(calls[0]?.stream).toBe(false);
    expect(calls.at(-1)?.path).toBe('/v1/messages');
  });
});
