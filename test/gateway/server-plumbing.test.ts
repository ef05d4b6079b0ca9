/**
 * The gateway's HTTP plumbing over real sockets, with the engine on the engine's scripted
 * transport (no upstream HTTP here; the end-to-end tests run against the mock provider):
 * auth, bad input, errors in the dialect, headers, admin endpoints, chaos, drain.
 */
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { type Behaviour, createFakeTransport, fakeCodec } from '../../src/engine/fixtures/fake-upstream.ts';
import type { GatewayConfigInput } from '../../src/gateway/config/index.ts';
import { hashKey } from '../../src/gateway/config/index.ts';
import { type Gateway, startGatewayWith } from '../../src/gateway/index.ts';
import { openaiCodec } from '../../src/wire/openai/index.ts';

const silent = { warn() {}, info() {}, error() {}, debug() {} };
const gateways: Gateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});

const KEY = 'olk_test_key_1234567890';

async function start(scripts: Record<string, Behaviour[]> = {}, extra: Partial<GatewayConfigInput> = {}) {
  const transport = createFakeTransport(scripts, Date.now);
  const gateway = await startGatewayWith(
    {
      config: {
        providers: {
          anthropic: { type: 'anthropic', apiKey: 'sk-ant-secret-upstream-key' },
          openai: { type: 'openai' },
        },
        routes: { default: ['anthropic/claude-sonnet-4-5', 'openai/gpt-4.1'] },
        retry: { attempts: 2, baseMs: 1, capMs: 5 },
        keys: [hashKey(KEY)],
        server: { drainTimeoutMs: 1000, drainGraceMs: 0 },
        ...extra,
      },
      port: 0,
      host: '127.0.0.1',
      logger: silent,
    },
    // The Anthropic endpoint is not under test here: the OpenAI codec stands in for it.
    { transport, codecFor: fakeCodec, serverCodecs: { anthropic: openaiCodec, openai: openaiCodec } },
  );
  gateways.push(gateway);
  return { gateway, transport };
}

const chatBody = { model: 'default', messages: [{ role: 'user', content: 'hi' }] };

function post(url: string, path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, ...headers },
    body,
  });
}

describe('gateway plumbing', () => {
  it('answers a chat completion through a fallback, with the trace headers', async () => {
    const { gateway } = await start({ 'anthropic/claude-sonnet-4-5': [{ fail: 'server' }] });
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const { data, response } = await client.chat.completions.create(chatBody as never).withResponse();
    expect(data.choices[0]?.message.content).toBe('answer from openai/gpt-4.1');
    expect(response.headers.get('x-outlast-model')).toBe('openai/gpt-4.1');
    expect(response.headers.get('x-outlast-attempts')).toBe('3');
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('refuses a missing or wrong key with 401 in the dialect, and never echoes upstream keys', async () => {
    const { gateway } = await start();
    const none = await post(gateway.url, '/v1/chat/completions', JSON.stringify(chatBody), {
      authorization: '',
    });
    expect(none.status).toBe(401);
    const body = (await none.json()) as { error: { message: string; type: string } };
    expect(body.error.message).toContain('gateway key');
    const wrong = await post(gateway.url, '/v1/chat/completions', JSON.stringify(chatBody), {
      authorization: 'Bearer nope',
    });
    expect(wrong.status).toBe(401);
    const viaHeader = await post(gateway.url, '/v1/chat/completions', JSON.stringify(chatBody), {
      authorization: '',
      'x-api-key': KEY,
    });
    expect(viaHeader.status).toBe(200);
  });

  it('answers bad input with a 4xx naming the problem and keeps serving', async () => {
    const { gateway } = await start(
      {},
      { server: { bodyLimitBytes: 2000, drainTimeoutMs: 1000, drainGraceMs: 0 } },
    );
    const malformed = await post(gateway.url, '/v1/chat/completions', '{"model": ');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toMatch(
      /not valid JSON/,
    );
    const wrongType = await post(
      gateway.url,
      '/v1/chat/completions',
      JSON.stringify({ model: 'default', messages: 'hi' }),
    );
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { error: { message: string } }).error.message).toMatch(/messages/);
    const big = await post(
      gateway.url,
      '/v1/chat/completions',
      JSON.stringify({ ...chatBody, pad: 'x'.repeat(5000) }),
    );
    expect(big.status).toBe(413);
    const notFound = await post(gateway.url, '/v1/nothing', '{}');
    expect(notFound.status).toBe(404);
    const ok = await post(gateway.url, '/v1/chat/completions', JSON.stringify(chatBody));
    expect(ok.status).toBe(200);
  });

  it("gives the exhausted route's error its status and retry-after, never an upstream key", async () => {
    const { gateway } = await start(
      {
        'anthropic/claude-sonnet-4-5': [
          { fail: 'rate_limited', retryAfterMs: 20_000, message: 'limit for sk-ant-secret-upstream-key' },
        ],
        'openai/gpt-4.1': [{ fail: 'rate_limited', retryAfterMs: 30_000 }],
      },
      { retry: { maxHintMs: 1000 } },
    );
    const res = await post(gateway.url, '/v1/chat/completions', JSON.stringify(chatBody));
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const text = await res.text();
    expect(text).not.toContain('sk-ant-secret-upstream-key');
  });

  it("reports an upstream refusing the gateway's own credentials as 502, not as a 401 about the client's key", async () => {
    const { gateway } = await start({
      'anthropic/claude-sonnet-4-5': [{ fail: 'auth' }],
      'openai/gpt-4.1': [{ fail: 'auth' }],
    });
    const res = await post(gateway.url, '/v1/chat/completions', JSON.stringify(chatBody));
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/credentials/);
  });

  it('serves models, health, readiness, metrics and status', async () => {
    const { gateway } = await start();
    await post(gateway.url, '/v1/chat/completions', JSON.stringify(chatBody));
    const models = (await (
      await fetch(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } })
    ).json()) as {
      data: Array<{ id: string }>;
    };
    expect(models.data.map((m) => m.id)).toContain('default');
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(await ready.json()).toMatchObject({ status: 'ready', state: { backend: 'memory' } });
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      /outlast_attempts_total\{provider="anthropic",model="claude-sonnet-4-5",outcome="success"/,
    );
    expect(metrics).toMatch(
      /outlast_http_requests_total\{endpoint="\/v1\/chat\/completions",status="200"\} 1/,
    );
    const status = (await (await fetch(`${gateway.url}/status`)).json()) as {
      targets: Array<{ key: string }>;
    };
    expect(status.targets.map((t) => t.key)).toContain('anthropic/claude-sonnet-4-5');
  });

  it('injects the configured chaos fault into the route and the engine recovers from it', async () => {
    const { gateway, transport } = await start(
      {},
      {
        chaos: [{ route: 'default', fault: 'overloaded', rate: 1 }],
        retry: { attempts: 1, baseMs: 1, capMs: 5 },
      },
    );
    const res = await post(gateway.url, '/v1/chat/completions', JSON.stringify(chatBody));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-outlast-model')).toBe('openai/gpt-4.1');
    // The injected fault never reached the scripted upstream: only the fallback did.
    expect(transport.seen.map((s) => s.key)).toEqual(['openai/gpt-4.1']);
  });

  it('streams in the dialect and lets an in-flight stream finish on close', async () => {
    const { gateway } = await start();
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const stream = await client.chat.completions.create({ ...chatBody, stream: true } as never);
    const closing = gateway.close();
    let text = '';
    for await (const chunk of stream as unknown as AsyncIterable<{
      choices: Array<{ delta: { content?: string } }>;
    }>)
      text += chunk.choices[0]?.delta.content ?? '';
    await closing;
    expect(text).toBe('answer from anthropic/claude-sonnet-4-5');
  });
});
