/**
 * Gemini's own endpoints on the gateway, used by `@google/genai` with `httpOptions.baseUrl` set
 * to the gateway, against the mock provider over real sockets: a route with a fallback across
 * formats, streamed and not, the key in `x-goog-api-key` or `?key=`, errors in Gemini's shape.
 */
import { ApiError, GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/index.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

let harness: Harness;
let gateway: Gateway;
beforeAll(async () => {
  harness = await createHarness({
    defaults: { firstTokenMs: 0, tokenMs: 1, answerTokens: 16 },
    models: {
      'gemini-down': { faults: ['503'] },
      'claude-down': { faults: ['529'] },
      'gpt-down': { faults: ['529'] },
    },
  });
  gateway = await harness.start({
    breaker: false,
    routes: {
      there: ['gemini/gemini-down', 'anthropic/claude-up'],
      back: ['anthropic/claude-down', 'gemini/gemini-up'],
      dead: ['anthropic/claude-down', 'openai/gpt-down'],
    },
  });
});
afterAll(async () => {
  await harness.close();
});

const ai = () => new GoogleGenAI({ apiKey: GATEWAY_KEY, httpOptions: { baseUrl: gateway.url } });
const contents = 'Tell me about timeouts.';

describe('@google/genai through the gateway', () => {
  it.each([
    ['there', 'anthropic/claude-up'],
    ['back', 'gemini/gemini-up'],
  ])('generateContent over route %s falls back to %s', async (route, answered) => {
    const answer = await ai().models.generateContent({ model: route, contents });
    expect(answer.text?.length).toBeGreaterThan(0);
    expect(answer.candidates?.[0]?.finishReason).toBe('STOP');
    expect(answer.usageMetadata?.candidatesTokenCount).toBeGreaterThan(0);
    expect(answer.sdkHttpResponse?.headers?.['x-outlast-model']).toBe(answered);
  });

  it.each(['there', 'back'])('generateContentStream over route %s gives the same text', async (route) => {
    const whole = await ai().models.generateContent({ model: route, contents });
    let text = '';
    let chunks = 0;
    for await (const chunk of await ai().models.generateContentStream({ model: route, contents })) {
      text += chunk.text ?? '';
      chunks++;
    }
    expect(chunks).toBeGreaterThan(1);
    expect(text).toBe(whole.text);
  });

  it('takes a provider/model pair in the path', async () => {
    // A pair the config names (route "there"): the gateway refuses models it does not know.
    const answer = await ai().models.generateContent({ model: 'anthropic/claude-up', contents });
    expect(answer.sdkHttpResponse?.headers?.['x-outlast-model']).toBe('anthropic/claude-up');
  });

  it('raises ApiError with the status when the route is exhausted', async () => {
    const error = await ai()
      .models.generateContent({ model: 'dead', contents })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
    expect((error as ApiError).message).toContain('UNAVAILABLE');
  });

  it('refuses a wrong key in Gemini’s error shape', async () => {
    const error = await new GoogleGenAI({ apiKey: 'wrong', httpOptions: { baseUrl: gateway.url } }).models
      .generateContent({ model: 'there', contents })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
  });
});

describe('Gemini endpoints over plain HTTP', () => {
  const post = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: contents }] }] }),
    });

  it('takes the key in ?key= and answers a stream without alt=sse as a JSON array', async () => {
    const res = await post(`/v1beta/models/back:streamGenerateContent?key=${GATEWAY_KEY}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Array<{
      candidates: Array<{ content: { parts: Array<{ text: string }> } }>;
    }>;
    expect(Array.isArray(body)).toBe(true);
    expect(body[0]?.candidates[0]?.content.parts[0]?.text.length).toBeGreaterThan(0);
  });

  it('writes errors in Gemini’s shape', async () => {
    const res = await post('/v1beta/models/there:generateContent');
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: number; status: string; message: string } };
    expect(body.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED' });
    const missing = await post('/v1beta/models/nowhere:generateContent', { 'x-goog-api-key': GATEWAY_KEY });
    const missingBody = (await missing.json()) as { error: { code: number; status: string } };
    expect(missingBody.error.code).toBe(missing.status);
    expect(missingBody.error.status).toMatch(/^[A-Z_]+$/);
  });
});
