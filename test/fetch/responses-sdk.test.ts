/**
 * The OpenAI SDK's `responses.create` through `outlast/fetch`, against the mock provider: a
 * fallback across formats after a 500, and towards a provider with `responses: true` the
 * upstream's own Response, so `previous_response_id` chains; `responses.retrieve` is not an
 * engine call and passes through to the URL the SDK built.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetch, type OutlastFetch } from '../../src/integrations/fetch/index.ts';
import { type MockProvider, startMockProvider } from '../../src/testing/index.ts';
import { FAST, providersFor } from '../engine/support/harness.ts';

let mock: MockProvider;
let fetch: OutlastFetch;
let sdk: OpenAI;

beforeAll(async () => {
  mock = await startMockProvider({ seed: 21, models: { 'gpt-down': { faults: [{ fault: '500' }] } } });
  const providers = providersFor(mock);
  fetch = createFetch({
    // `oai` is OpenAI's own Responses API (the mock serves it).
    providers: { ...providers, oai: { ...providers.openai, responses: true } },
    routes: { fallback: ['openai/gpt-down', 'anthropic/claude-mock'], direct: ['oai/gpt-mock'] },
    ...FAST,
    warn: () => {},
  });
  sdk = new OpenAI({ apiKey: 'unused', baseURL: mock.baseURLs.openai, maxRetries: 0, fetch });
});
afterAll(async () => {
  await fetch.close();
  await mock.close();
});

describe('openai SDK responses.create through outlast/fetch', () => {
  it('falls back across formats after a 500', async () => {
    const answer = await sdk.responses.create({ model: 'fallback', input: 'Hello.' }).withResponse();
    expect(answer.data.status).toBe('completed');
    expect(answer.data.output_text.length).toBeGreaterThan(0);
    expect(answer.response.headers.get('x-outlast-model')).toBe('anthropic/claude-mock');
  });

  it('chains previous_response_id towards the Responses API itself; retrieve passes through', async () => {
    const first = await sdk.responses.create({ model: 'direct', input: 'Remember teal.' });
    const second = await sdk.responses.create({
      model: 'direct',
      input: 'Which colour?',
      previous_response_id: first.id,
    });
    expect(second.previous_response_id).toBe(first.id);
    // The mock has no GET /v1/responses/{id}: its own 404 shows the call went to the URL as built.
    const retrieved = await sdk.responses.retrieve(first.id).catch((e: unknown) => e);
    expect(retrieved).toBeInstanceOf(OpenAI.NotFoundError);
    expect((retrieved as Error).message).toContain(`outlast mock: no endpoint GET /v1/responses/${first.id}`);
  });
});
