/**
 * The gateway's limits (issue 15): connections and requests in flight answered 503 with
 * retry-after in the dialect while /healthz and /readyz are still served, slow headers and
 * bodies timed out with a 408 in JSON, idle keep-alive closed, oversized headers 431,
 * chunked bodies over the limit 413, nesting depth 400 naming the limit, a budget for large
 * bodies at once, and a prompt larger than every target's window refused before any upstream call.
 */
import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closedWithin, openSocket, readAnswer } from './raw-http.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await createHarness({ defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 5 } });
});
afterAll(async () => {
  await harness.close();
});
const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
});
async function socketTo(url: string): Promise<Socket> {
  const socket = await openSocket(url);
  sockets.push(socket);
  return socket;
}

const chat = JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'hi' }] });
const request = (path: string, body = chat, extra = '') =>
  `POST ${path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${GATEWAY_KEY}\r\ncontent-type: application/json\r\n${extra}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const errorOf = (body: string) => (JSON.parse(body) as { error: { type: string; message: string } }).error;

describe('limits: connections and requests in flight', () => {
  it('answers a connection over server.maxConnections 503 with retry-after in its dialect; /healthz and /readyz still answer', async () => {
    const gateway = await harness.start({
      routes: { default: ['openai/gpt-4.1'] },
      server: { maxConnections: 3, drainTimeoutMs: 500 },
    });
    for (let i = 0; i < 3; i++) await socketTo(gateway.url);
    const over = await socketTo(gateway.url);
    over.write(request('/v1/chat/completions'));
    const refused = await readAnswer(over);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(errorOf(refused.body).message).toMatch(/3 connections/);
    const anthropic = await socketTo(gateway.url);
    anthropic.write(request('/v1/messages', chat, 'anthropic-version: 2023-06-01\r\n'));
    const refusedAnthropic = await readAnswer(anthropic);
    // Anthropic's own word for it: 529 overloaded_error, which its SDK retries.
    expect(refusedAnthropic.status).toBe(529);
    expect(refusedAnthropic.headers['retry-after']).toBe('1');
    expect(JSON.parse(refusedAnthropic.body)).toMatchObject({
      type: 'error',
      error: { type: 'overloaded_error' },
    });
    for (const path of ['/healthz', '/readyz']) {
      const health = await socketTo(gateway.url);
      health.write(`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`);
      expect((await readAnswer(health)).status).toBe(200);
    }
  });

  it('answers a model call over server.maxInFlight 503 with retry-after while one is in flight', async () => {
    const slow = await createHarness({ defaults: { firstTokenMs: 0, tokenMs: 40, answerTokens: 40 } });
    try {
      const gateway = await slow.start({
        routes: { default: ['openai/gpt-4.1'] },
        server: { maxInFlight: 1, drainTimeoutMs: 500 },
      });
      const first = fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
        body: chat,
      });
      const started = Date.now();
      while (gateway.stats().inFlight === 0 && Date.now() - started < 3000)
        await new Promise((r) => setTimeout(r, 10));
      const second = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
        body: chat,
      });
      expect(second.status).toBe(503);
      expect(second.headers.get('retry-after')).toBe('1');
      expect(errorOf(await second.text()).message).toMatch(/1 requests in flight \(server\.maxInFlight\)/);
      expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
      expect((await first).status).toBe(200);
    } finally {
      await slow.close();
    }
  });
});

describe('limits: slow and oversized requests', () => {
  it('answers headers that do not arrive within server.headersTimeoutMs with a 408 in JSON', async () => {
    const gateway = await harness.start({
      routes: { default: ['openai/gpt-4.1'] },
      server: { headersTimeoutMs: 300 },
    });
    const socket = await socketTo(gateway.url);
    socket.write('POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n');
    const answer = await readAnswer(socket, 4000);
    expect(answer.status).toBe(408);
    expect(errorOf(answer.body).message).toMatch(/headers.*300 ms/);
  });

  it('answers a body that does not arrive within server.requestTimeoutMs with a 408 in JSON', async () => {
    const gateway = await harness.start({
      routes: { default: ['openai/gpt-4.1'] },
      server: { requestTimeoutMs: 400 },
    });
    const socket = await socketTo(gateway.url);
    socket.write(
      `${request('/v1/chat/completions', '').replace('content-length: 0', 'content-length: 100')}{"model":`,
    );
    const answer = await readAnswer(socket, 4000);
    expect(answer.status).toBe(408);
    expect(errorOf(answer.body).message).toMatch(/400 ms/);
  });

  it('closes an idle keep-alive connection after server.keepAliveTimeoutMs', async () => {
    const gateway = await harness.start({
      routes: { default: ['openai/gpt-4.1'] },
      server: { keepAliveTimeoutMs: 300 },
    });
    const socket = await socketTo(gateway.url);
    socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
    expect((await readAnswer(socket)).status).toBe(200);
    expect(await closedWithin(socket, 3000)).toBe(true);
  });

  it('answers headers over server.maxHeaderBytes with a 431 in JSON, and malformed headers with a 400 in JSON', async () => {
    const gateway = await harness.start({
      routes: { default: ['openai/gpt-4.1'] },
      server: { maxHeaderBytes: 2048 },
    });
    const big = await socketTo(gateway.url);
    big.write(request('/v1/chat/completions', chat, `x-padding: ${'a'.repeat(4000)}\r\n`));
    const tooBig = await readAnswer(big);
    expect(tooBig.status).toBe(431);
    expect(errorOf(tooBig.body).message).toMatch(/2048 bytes/);
    const bad = await socketTo(gateway.url);
    bad.write('POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nbad header line\r\n\r\n');
    const malformed = await readAnswer(bad);
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed.body).message).toMatch(/malformed HTTP request/);
  });

  it('answers a chunked body over server.bodyLimitBytes 413 in its dialect while the client is still sending', async () => {
    const gateway = await harness.start({
      routes: { default: ['openai/gpt-4.1'] },
      server: { bodyLimitBytes: 4096 },
    });
    const socket = await socketTo(gateway.url);
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${GATEWAY_KEY}\r\ntransfer-encoding: chunked\r\n\r\n`,
    );
    const chunk = `{"model":"default","messages":[{"role":"user","content":"${'x'.repeat(60_000)}`;
    const answer = readAnswer(socket);
    // The client keeps sending well past the limit, as a streaming uploader does.
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    }, 5);
    try {
      const got = await answer;
      expect(got.status).toBe(413);
      expect(errorOf(got.body).message).toMatch(/4096 bytes/);
    } finally {
      clearInterval(timer);
    }
  });

  it('delivers an early refusal to a client still sending its body (413 over the limit, 503 over the budget), not a reset', async () => {
    const gateway = await harness.start({
      routes: { default: ['openai/gpt-4.1'] },
      server: { bodyLimitBytes: 8 * 1024 * 1024, largeBodyBudgetBytes: 10 * 1024 * 1024 },
    });
    const body = (mib: number) =>
      Buffer.from(
        JSON.stringify({
          model: 'default',
          messages: [{ role: 'user', content: 'x'.repeat(mib * 1024 * 1024) }],
        }),
      );
    const send = (b: Uint8Array<ArrayBuffer>) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
        body: b,
      }).then(
        (r) => r.status,
        (e: Error & { cause?: { code?: string } }) => `failed: ${e.cause?.code ?? e.message}`,
      );
    // Over the size limit, declared: refused before a byte of the body is read.
    expect(await send(body(20))).toBe(413);
    // Over the budget: eight 6 MiB bodies at once, one at most fits in 10 MiB.
    const six = body(6);
    const statuses = await Promise.all(Array.from({ length: 8 }, () => send(six)));
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => typeof s === 'number')).toBe(true);
  });

  it('refuses JSON nested deeper than server.maxJsonDepth and a tool schema deeper than server.maxToolSchemaDepth with 400 naming the limit', async () => {
    const gateway = await harness.start({ routes: { default: ['openai/gpt-4.1'] } });
    const post = (body: string) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
        body,
      });
    // Written as text: JSON.stringify itself recurses and would overflow on 5,000 levels.
    const nested = (depth: number) =>
      `${'{"type":"object","properties":{"a":'.repeat(depth)}{"type":"string"}${'}}'.repeat(depth)}`;
    const withTool = (depth: number) =>
      `{"model":"default","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"deep","parameters":${nested(depth)}}}]}`;
    const deepBody = await post(withTool(5000));
    expect(deepBody.status).toBe(400);
    expect(errorOf(await deepBody.text()).message).toMatch(/server\.maxJsonDepth/);
    const deepSchema = await post(withTool(40));
    expect(deepSchema.status).toBe(400);
    expect(errorOf(await deepSchema.text()).message).toMatch(
      /tools\.0.*limit of 64 \(server\.maxToolSchemaDepth\)/,
    );
    expect((await post(withTool(20))).status).toBe(200);
  });

  it('answers 503 at once to a body that would take the large-body budget over server.largeBodyBudgetBytes', async () => {
    const gateway = await harness.start({
      routes: { default: ['openai/gpt-4.1'] },
      server: { bodyLimitBytes: 8000, largeBodyBudgetBytes: 10_000 },
    });
    // One large body held half-sent takes most of the budget.
    const holder = await socketTo(gateway.url);
    holder.write(
      `${request('/v1/chat/completions', '').replace('content-length: 0', 'content-length: 7000')}{"model":`,
    );
    await new Promise((r) => setTimeout(r, 100));
    const second = await socketTo(gateway.url);
    second.write(
      request('/v1/chat/completions', `{"model":"default","messages":[],"pad":"${'x'.repeat(6900)}"}`),
    );
    const answer = await readAnswer(second);
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect(errorOf(answer.body).message).toMatch(/10000 bytes.*server\.largeBodyBudgetBytes/);
    // Small bodies are not held back by it.
    const small = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
      body: chat,
    });
    expect(small.status).toBe(200);
  });

  it('answers a prompt larger than every target window 400 context_length without calling any upstream', async () => {
    const gateway = await harness.start({
      routes: { default: ['anthropic/claude-sonnet-4-5', 'openai/gpt-4.1'] },
      server: { bodyLimitBytes: 16 * 1024 * 1024 },
    });
    harness.mock.reset();
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'default',
        messages: [{ role: 'user', content: 'x'.repeat(5_000_000) }],
      }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('context_length_exceeded');
    expect(body.error.message).toMatch(/1250000 tokens.*1047576/);
    expect(harness.mock.log()).toHaveLength(0);
  });
});
