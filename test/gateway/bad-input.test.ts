/** Bad input on every endpoint gets a 4xx in the endpoint's dialect naming the problem, and the gateway keeps serving. */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/index.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

let harness: Harness;
let gateway: Gateway;
beforeAll(async () => {
  harness = await createHarness({ defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 5 } });
  gateway = await harness.start({
    routes: { default: ['openai/gpt-4.1'] },
    server: { bodyLimitBytes: 4096, drainTimeoutMs: 1000 },
  });
});
afterAll(async () => {
  await harness.close();
});

const auth = { authorization: `Bearer ${GATEWAY_KEY}` };

async function send(
  path: string,
  body: string | undefined,
  headers: Record<string, string> = {},
  method = 'POST',
) {
  const res = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...auth, ...headers },
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    json: (() => {
      try {
        return JSON.parse(text) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    })(),
  };
}

const openaiMessage = (r: { json?: Record<string, unknown> }) =>
  (r.json?.error as { message?: string } | undefined)?.message ?? '';

describe('bad input: POST /v1/chat/completions (OpenAI errors)', () => {
  const path = '/v1/chat/completions';
  it.each([
    ['malformed JSON', '{"model": "default", ', /not valid JSON/],
    ['an empty body', '', /empty/],
    ['a JSON array', '[1, 2]', /JSON object/],
    ['messages of the wrong type', JSON.stringify({ model: 'default', messages: 'hi' }), /messages/],
    ['a missing model', JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }), /model/],
    [
      'an unknown role',
      JSON.stringify({ model: 'default', messages: [{ role: 'wizard', content: 'hi' }] }),
      /role|messages/,
    ],
  ])('answers %s with 400 naming the problem', async (_what, body, pattern) => {
    const r = await send(path, body);
    expect(r.status).toBe(400);
    expect(r.json?.error).toMatchObject({ type: 'invalid_request_error' });
    expect(openaiMessage(r)).toMatch(pattern);
  });

  it('answers a body over the limit with 413, declared or streamed', async () => {
    const big = JSON.stringify({
      model: 'default',
      messages: [{ role: 'user', content: 'x'.repeat(10_000) }],
    });
    const declared = await send(path, big);
    expect(declared.status).toBe(413);
    expect(openaiMessage(declared)).toMatch(/4096 bytes/);
    const chunked = await fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1000)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit).catch((e: unknown) => e);
    // Either the 413 arrives, or the gateway closed the socket on the unread rest of the body.
    if (chunked instanceof Response) expect(chunked.status).toBe(413);
  });

  it('answers GET with 405', async () => {
    expect((await send(path, undefined, {}, 'GET')).status).toBe(405);
  });
});

describe('bad input: POST /v1/messages (Anthropic errors)', () => {
  const path = '/v1/messages';
  const anthropicError = (r: { json?: Record<string, unknown> }) =>
    r.json?.error as { type?: string; message?: string } | undefined;
  const good = { model: 'default', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] };

  it.each([
    ['malformed JSON', '{"model": ', /not valid JSON/],
    ['an empty body', '', /empty/],
    ['messages of the wrong type', JSON.stringify({ ...good, messages: 'hi' }), /messages/],
    ['max_tokens of the wrong type', JSON.stringify({ ...good, max_tokens: 'many' }), /max_tokens/],
    ['a missing model', JSON.stringify({ max_tokens: 50, messages: good.messages }), /model/],
  ])('answers %s with 400 invalid_request_error naming the problem', async (_what, body, pattern) => {
    const r = await send(path, body);
    expect(r.status).toBe(400);
    expect(r.json?.type).toBe('error');
    expect(anthropicError(r)?.type).toBe('invalid_request_error');
    expect(anthropicError(r)?.message).toMatch(pattern);
  });

  it('answers a body over the limit with 413 request_too_large', async () => {
    const r = await send(
      path,
      JSON.stringify({ ...good, messages: [{ role: 'user', content: 'x'.repeat(10_000) }] }),
    );
    expect(r.status).toBe(413);
    expect(anthropicError(r)?.message).toMatch(/4096 bytes/);
  });

  it('answers a missing key with 401 authentication_error, x-api-key accepted', async () => {
    const r = await send(path, JSON.stringify(good), { authorization: '' });
    expect(r.status).toBe(401);
    expect(anthropicError(r)?.type).toBe('authentication_error');
    const ok = await send(path, JSON.stringify(good), { authorization: '', 'x-api-key': GATEWAY_KEY });
    expect(ok.status).toBe(200);
  });

  it('answers GET with 405', async () => {
    expect((await send(path, undefined, {}, 'GET')).status).toBe(405);
  });
});

describe('bad input: GET /v1/models and the admin endpoints', () => {
  it('wants a key for /v1/models, and GET only', async () => {
    expect((await send('/v1/models', undefined, { authorization: '' }, 'GET')).status).toBe(401);
    expect((await send('/v1/models', '{}')).status).toBe(405);
    expect((await send('/v1/models', undefined, {}, 'GET')).status).toBe(200);
  });

  it.each(['/healthz', '/readyz', '/metrics', '/status'])('answers POST %s with 405', async (path) => {
    expect((await send(path, '{}')).status).toBe(405);
  });

  it('answers an unknown path with 404 naming the endpoints it serves', async () => {
    const r = await send('/v2/complete', '{}');
    expect(r.status).toBe(404);
    expect(openaiMessage(r)).toMatch(/\/v1\/chat\/completions/);
  });

  it('answers bytes that are not HTTP with 400 and keeps serving', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(gateway.url).port), '127.0.0.1');
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk.toString('utf8');
      });
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
      socket.write('\x16\x03\x01 this is not http\r\n\r\n');
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
  });

  it('still serves a good request after all of the above', async () => {
    const r = await send(
      '/v1/chat/completions',
      JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(r.status).toBe(200);
  });
});
