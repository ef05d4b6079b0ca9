/**
 * Gemini's own embedding endpoints on the gateway (`:embedContent`, and `:batchEmbedContents`,
 * which `@google/genai`'s `models.embedContent` calls), against the mock provider over real
 * sockets: routed like `/v1/embeddings` (retried on a 500, a fallback to another deployment of
 * the same model with the same vectors, a route mixing models refused), the key in
 * `x-goog-api-key` or `?key=`, errors in Gemini's shape.
 */
import { ApiError, GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/index.ts';
import { providersFor } from '../engine/support/harness.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

const MODEL = 'gemini-embedding-001';
let harness: Harness;
let gateway: Gateway;
beforeAll(async () => {
  harness = await createHarness({});
  const providers = providersFor(harness.mock);
  gateway = await harness.start({
    breaker: false,
    providers: { ...providers, backup: providers.gemini },
    routes: {
      embed: [`gemini/${MODEL}`, `backup/${MODEL}`],
      mixed: ['gemini/embed-a', 'backup/embed-b'],
    },
  });
});
afterAll(async () => {
  await harness.close();
});
beforeEach(() => {
  harness.mock.reset();
  harness.mock.setScenario({});
});

const ai = () => new GoogleGenAI({ apiKey: GATEWAY_KEY, httpOptions: { baseUrl: gateway.url } });
const hits = () => harness.mock.log().map((e) => `${e.path.split('?')[0]} ${e.model} ${e.status}`);

describe('@google/genai embedContent through the gateway', () => {
  it('embeds several texts, retried on a 500', async () => {
    harness.mock.setScenario({ models: { [MODEL]: { faults: [{ fault: '500', times: 1 }] } } });
    const answer = await ai().models.embedContent({ model: 'embed', contents: ['one', 'two'] });
    const vectors = answer.embeddings?.map((e) => e.values) ?? [];
    expect(vectors).toHaveLength(2);
    expect(vectors[0]?.length).toBeGreaterThan(0);
    expect(vectors[0]).not.toEqual(vectors[1]);
    expect(answer.sdkHttpResponse?.headers?.['x-outlast-attempts']).toBe('2');
    expect(hits()).toEqual([
      `/v1beta/models/${MODEL}:batchEmbedContents ${MODEL} 500`,
      `/v1beta/models/${MODEL}:batchEmbedContents ${MODEL} 200`,
    ]);
  });

  it('falls back to another deployment of the same model, with the same vectors', async () => {
    const healthy = await ai().models.embedContent({ model: 'embed', contents: 'same text' });
    harness.mock.setScenario({ models: { [MODEL]: { faults: [{ fault: '503', times: 2 }] } } });
    const answer = await ai().models.embedContent({ model: 'embed', contents: 'same text' });
    expect(answer.sdkHttpResponse?.headers?.['x-outlast-model']).toBe(`backup/${MODEL}`);
    expect(answer.embeddings?.[0]?.values).toEqual(healthy.embeddings?.[0]?.values);
  });

  it('refuses a route mixing embedding models and an exhausted route, as the SDK’s ApiError', async () => {
    const mixed = await ai()
      .models.embedContent({ model: 'mixed', contents: 'x' })
      .catch((e: unknown) => e);
    expect(mixed).toBeInstanceOf(ApiError);
    expect((mixed as ApiError).status).toBe(400);
    expect((mixed as Error).message).toContain('not interchangeable');
    harness.mock.setScenario({ models: { [MODEL]: { faults: ['503'] } } });
    const exhausted = await ai()
      .models.embedContent({ model: 'embed', contents: 'x' })
      .catch((e: unknown) => e);
    expect(exhausted).toBeInstanceOf(ApiError);
    expect((exhausted as ApiError).status).toBe(503);
  });

  it('serves :embedContent with the key in ?key=, the body as sent', async () => {
    const res = await fetch(`${gateway.url}/v1beta/models/embed:embedContent?key=${GATEWAY_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: { parts: [{ text: 'hello' }] }, outputDimensionality: 4 }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { embedding: { values: number[] } };
    expect(body.embedding.values).toHaveLength(4);
    const refused = await fetch(`${gateway.url}/v1beta/models/embed:embedContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: { parts: [{ text: 'hello' }] } }),
    });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED');
  });
});
