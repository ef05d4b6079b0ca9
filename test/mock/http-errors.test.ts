import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockProvider, PREFILL_REJECTED_MESSAGE, startMockProvider } from '../../src/testing/index.ts';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMockProvider({ models: { 'no-prefill': { rejectsPrefill: true } } });
});
afterAll(async () => {
  await mock.close();
});

type Format = 'openai' | 'gemini';
const endpoints: Record<Format, { path: string; body: (messages?: unknown) => unknown }> = {
  openai: {
    path: '/v1/chat/completions',
    body: () => ({ model: 'm', messages: [{ role: 'user', content: 'hello' }] }),
  },
  gemini: {
    path: '/v1beta/models/m:generateContent',
    body: () => ({ contents: [{ role: 'user', parts: [{ text: 'hello' }] }] }),
  },
};

async function send(format: Format, fault: string) {
  const { path, body } = endpoints[format];
  const res = await request(`${mock.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mock-fault': fault },
    body: JSON.stringify(body()),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

const STATUSES = [400, 401, 403, 404, 413, 429, 500, 503, 504, 529];

describe('HTTP error faults in the provider shape', () => {
  it.each(STATUSES)(
    'OpenAI %i: status, JSON error body with message/type/param/code, request id',
    async (status) => {
      const res = await send('openai', String(status));
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['x-request-id']).toMatch(/^req_/);
      const body = JSON.parse(res.text);
      expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
      expect(body.error.message).toEqual(expect.any(String));
    },
  );

  it.each(STATUSES.filter((s) => s !== 529))('Gemini %i: google.rpc.Status envelope', async (status) => {
    const res = await send('gemini', String(status));
    expect(res.status).toBe(status);
    const body = JSON.parse(res.text);
    expect(body.error).toMatchObject({
      message: expect.any(String),
      status: expect.stringMatching(/^[A-Z_]+$/),
    });
  });

  it('names OpenAI 429s and context-length 400s by their codes', async () => {
    expect(JSON.parse((await send('openai', '429')).text).error.code).toBe('rate_limit_exceeded');
    const ctx = JSON.parse((await send('openai', 'context_length')).text).error;
    expect(ctx).toMatchObject({ code: 'context_length_exceeded', type: 'invalid_request_error' });
    expect(ctx.message).toMatch(/maximum context length/);
    const filter = JSON.parse((await send('openai', 'content_filter')).text).error;
    expect(filter.code).toBe('content_policy_violation');
    expect(JSON.parse((await send('openai', 'prefill_rejected')).text).error.message).toBe(
      PREFILL_REJECTED_MESSAGE,
    );
  });

  it('sends 429 with no retry hint unless asked', async () => {
    const res = await send('openai', '429');
    expect(res.headers['retry-after']).toBeUndefined();
    expect(res.headers['retry-after-ms']).toBeUndefined();
    expect(res.headers['x-ratelimit-reset-requests']).toBeUndefined();
  });

  it('sends retry-after, retry-after-ms, reset headers and x-should-retry exactly as asked', async () => {
    const a = await send('openai', '429 retry-after=2');
    expect(a.headers['retry-after']).toBe('2');
    expect(a.headers['retry-after-ms']).toBeUndefined();
    const b = await send('openai', '429 retry-after-ms=1500 reset=6m should-retry=true');
    expect(b.headers['retry-after']).toBeUndefined();
    expect(b.headers['retry-after-ms']).toBe('1500');
    expect(b.headers['x-ratelimit-reset-requests']).toBe('6m0s');
    expect(b.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(b.headers['x-should-retry']).toBe('true');
  });

  it('puts the retry delay in Gemini’s RetryInfo detail', async () => {
    const res = await send('gemini', '429 retry-after=17');
    expect(res.headers['retry-after']).toBe('17');
    expect(JSON.parse(res.text).error.details).toEqual([
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '17s' },
    ]);
  });

  it('answers 502 with the HTML page of a proxy', async () => {
    for (const format of ['openai', 'gemini'] as const) {
      const res = await send(format, '502');
      expect(res.status).toBe(502);
      expect(res.headers['content-type']).toBe('text/html');
      expect(res.text).toContain('<title>502 Bad Gateway</title>');
    }
  });

  it('rejects a prefill on a model that does', async () => {
    const res = await request(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'no-prefill',
        messages: [
          { role: 'user', content: 'hello' },
          { role: 'assistant', content: 'Sure' },
        ],
      }),
    });
    expect(res.statusCode).toBe(400);
    expect((await res.body.json()) as unknown).toMatchObject({
      error: { message: PREFILL_REJECTED_MESSAGE },
    });
  });
});
