/**
 * The endpoints that are not generations, with the official SDKs against the mock over real
 * sockets: embeddings retried on a 500 and failed over between deployments of one model,
 * routes that mix embedding models refused; models.retrieve; Anthropic countTokens passed to an
 * Anthropic target, or estimated (and marked) where the route has none.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.ts';
import type { Gateway } from '../../src/gateway/index.ts';
import { providersFor } from '../engine/support/harness.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

let harness: Harness;
let gateway: Gateway;
beforeAll(async () => {
  harness = await createHarness({ defaults: { firstTokenMs: 0, tokenMs: 1, answerTokens: 8 } });
  const providers = providersFor(harness.mock);
  gateway = await harness.start({
    breaker: false,
    // A second deployment of the same OpenAI-format models (an Azure or a second region).
    providers: { ...providers, backup: { ...providers.openai } },
    routes: {
      embed: ['openai/text-embedding-3-small', 'backup/text-embedding-3-small'],
      'embed-mixed': ['openai/embed-a', 'backup/embed-b'],
      chat: ['anthropic/claude-up', 'openai/gpt-up'],
      'no-anthropic': ['openai/gpt-up'],
    },
  });
});
afterAll(async () => {
  await harness.close();
});
beforeEach(() => {
  harness.mock.setScenario({ defaults: { firstTokenMs: 0, tokenMs: 1, answerTokens: 8 } });
  harness.mock.reset();
});

const openai = () => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
const anthropic = () => new Anthropic({ baseURL: gateway.url, apiKey: GATEWAY_KEY, maxRetries: 0 });
const hits = () => harness.mock.log().map((e) => `${e.path.split('?')[0]} ${e.model} ${e.status}`);

describe('POST /v1/embeddings', () => {
  it('answers embeddings.create in OpenAI’s shape, retried on a 500', async () => {
    harness.mock.setScenario({
      models: { 'text-embedding-3-small': { faults: [{ fault: '500', times: 1 }] } },
    });
    const { data, response } = await openai()
      .embeddings.create({ model: 'embed', input: ['one', 'two'] })
      .withResponse();
    expect(data.object).toBe('list');
    expect(data.data.map((d) => d.index)).toEqual([0, 1]);
    expect(data.data[0]?.embedding.length).toBeGreaterThan(0);
    expect(data.data[0]?.embedding).not.toEqual(data.data[1]?.embedding);
    expect(data.usage.prompt_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-outlast-attempts')).toBe('2');
    expect(hits()).toEqual([
      '/v1/embeddings text-embedding-3-small 500',
      '/v1/embeddings text-embedding-3-small 200',
    ]);
  });

  it('falls back to another deployment of the same model, with the same vectors', async () => {
    const healthy = await openai().embeddings.create({ model: 'embed', input: 'same text' });
    harness.mock.setScenario({
      models: { 'text-embedding-3-small': { faults: [{ fault: '529', times: 2 }] } },
    });
    const { data, response } = await openai()
      .embeddings.create({ model: 'embed', input: 'same text' })
      .withResponse();
    expect(response.headers.get('x-outlast-model')).toBe('backup/text-embedding-3-small');
    expect(data.data[0]?.embedding).toEqual(healthy.data[0]?.embedding);
  });

  it('refuses a route whose targets are different embedding models, saying why', async () => {
    const error = await openai()
      .embeddings.create({ model: 'embed-mixed', input: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain('not interchangeable');
    expect(hits()).toEqual([]);
  });

  it('raises the SDK’s typed error when every deployment fails', async () => {
    harness.mock.setScenario({ models: { 'text-embedding-3-small': { faults: ['503'] } } });
    const error = await openai()
      .embeddings.create({ model: 'embed', input: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect(harness.mock.log().length).toBe(4);
  });

  it('refuses options that mix declared embedding families at construction', () => {
    expect(() =>
      createClient({
        providers: providersFor(harness.mock),
        routes: { bad: ['openai/text-embedding-3-small', 'openai/text-embedding-3-large'] },
      }),
    ).toThrow(/routes\.bad: mixes embedding model families .*not interchangeable/);
  });
});

describe('GET /v1/models/{id}', () => {
  it('retrieves a route and a provider/model with both SDKs', async () => {
    const route = await openai().models.retrieve('chat');
    expect(route).toMatchObject({ id: 'chat', object: 'model', owned_by: 'outlast' });
    const model = await openai().models.retrieve('anthropic/claude-up');
    expect(model.id).toBe('anthropic/claude-up');
    const info = await anthropic().models.retrieve('chat');
    expect(info).toMatchObject({ id: 'chat', type: 'model' });
    expect(typeof info.display_name).toBe('string');
  });

  it('answers 404 as the SDK’s NotFoundError for an unknown id', async () => {
    const error = await openai()
      .models.retrieve('nowhere')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('POST /v1/messages/count_tokens', () => {
  const params = (model: string) => ({
    model,
    system: 'Be brief.',
    messages: [{ role: 'user' as const, content: 'How many tokens is this?' }],
  });

  it('passes the count to an Anthropic target of the route, which counts as it bills', async () => {
    const counted = await anthropic().messages.countTokens(params('chat'));
    const answered = await anthropic().messages.create({ ...params('anthropic/claude-up'), max_tokens: 20 });
    expect(counted.input_tokens).toBe(answered.usage.input_tokens);
    expect(harness.mock.log()[0]?.path).toBe('/v1/messages/count_tokens');
  });

  it('estimates, and says so, when the route has no Anthropic target', async () => {
    const { data, response } = await anthropic().messages.countTokens(params('no-anthropic')).withResponse();
    expect(data.input_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-outlast-token-count')).toBe('estimate; no anthropic target');
    expect((data as unknown as { outlast_estimate?: boolean }).outlast_estimate).toBe(true);
    expect(harness.mock.log()).toEqual([]);
  });

  it('estimates, and says so, when the route’s Anthropic targets are down', async () => {
    harness.mock.setScenario({ models: { 'claude-up': { faults: ['529'] } } });
    const { data, response } = await anthropic().messages.countTokens(params('chat')).withResponse();
    expect(data.input_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-outlast-token-count')).toBe(
      'estimate; anthropic targets failed (overloaded)',
    );
    expect(harness.mock.log().length).toBe(2);
  });
});
