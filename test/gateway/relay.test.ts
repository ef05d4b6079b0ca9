/**
 * The streaming relay over real sockets against the mock provider: a slow reader costs the
 * gateway a bounded buffer, a client that disconnects cancels the upstream request, SIGTERM-style
 * close drains.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../state/redis-server.ts';
import { waitFor } from '../support/wait-for.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function openStream(url: string, body: unknown): Promise<{ res: IncomingMessage; destroy: () => void }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/v1/chat/completions`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${GATEWAY_KEY}` },
      },
      (res) => resolve({ res, destroy: () => req.destroy() }),
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('gateway relay', () => {
  it('keeps what it buffers for a client that does not read bounded, and still delivers every byte', async () => {
    harness = await createHarness({ defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 60_000 } });
    const gateway = await harness.start({ routes: { default: ['openai/gpt-4.1'] } });
    const { res } = await openStream(gateway.url, {
      model: 'default',
      stream: true,
      max_tokens: 100_000,
      messages: [{ role: 'user', content: 'a long answer please' }],
    });
    expect(res.statusCode).toBe(200);
    res.pause();
    // While the client reads nothing, the gateway's buffered bytes stay near one socket's worth:
    // watched from the moment the relay has something buffered (however long a loaded machine
    // takes to get there) until it has stopped growing for a while.
    let maxBuffered = 0;
    await waitFor(() => gateway.stats().bufferedBytes > 0, 10_000);
    let steadySince = Date.now();
    while (Date.now() - steadySince < 500) {
      const now = gateway.stats().bufferedBytes;
      if (now > maxBuffered) {
        maxBuffered = now;
        steadySince = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(gateway.stats().inFlight).toBe(1);
    expect(maxBuffered).toBeGreaterThan(0);
    expect(maxBuffered).toBeLessThan(256 * 1024);
    // Then a slow reader gets the whole answer, in order, ending with [DONE].
    let received = 0;
    let tail = '';
    res.on('data', (chunk: Buffer) => {
      received += chunk.length;
      tail = (tail + chunk.toString('utf8')).slice(-64);
      maxBuffered = Math.max(maxBuffered, gateway.stats().bufferedBytes);
    });
    res.resume();
    await new Promise((resolve) => res.on('end', resolve));
    expect(received).toBeGreaterThan(8 * 1024 * 1024);
    expect(tail).toContain('[DONE]');
    expect(maxBuffered).toBeLessThan(256 * 1024);
  });

  it('cancels the upstream request when the client disconnects mid-stream', async () => {
    harness = await createHarness({ defaults: { firstTokenMs: 0, tokenMs: 20, answerTokens: 500 } });
    const gateway = await harness.start({ routes: { default: ['openai/gpt-4.1'] } });
    const { res, destroy } = await openStream(gateway.url, {
      model: 'default',
      stream: true,
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(res.statusCode).toBe(200);
    await new Promise((resolve) => res.once('data', resolve));
    destroy();
    const mock = harness.mock;
    await until(
      () => mock.log().some((e) => e.disconnected),
      3000,
      'the mock to see the upstream disconnect',
    );
    const entry = mock.log().find((e) => e.disconnected);
    expect(entry?.tokensSent).toBeLessThan(500);
    await until(() => gateway.stats().inFlight === 0, 2000, 'the gateway to let go of the call');
  });

  it('cancels the upstream call when the client disconnects before the first token', async () => {
    harness = await createHarness({ defaults: { firstTokenMs: 600, tokenMs: 5, answerTokens: 20 } });
    const gateway = await harness.start({ routes: { default: ['openai/gpt-4.1'] } });
    const controller = new AbortController();
    const pending = fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${GATEWAY_KEY}` },
      body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'hello' }] }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    await until(() => harness?.mock.log().length === 1, 2000, 'the upstream request');
    controller.abort();
    await pending;
    await until(() => harness?.mock.log()[0]?.disconnected === true, 3000, 'the upstream disconnect');
  });

  it('lets a stream in flight finish when the gateway closes, and refuses new calls meanwhile', async () => {
    harness = await createHarness({ defaults: { firstTokenMs: 0, tokenMs: 10, answerTokens: 40 } });
    const gateway = await harness.start({ routes: { default: ['openai/gpt-4.1'] } });
    const { res } = await openStream(gateway.url, {
      model: 'default',
      stream: true,
      messages: [{ role: 'user', content: 'hello' }],
    });
    let body = '';
    res.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    const ended = new Promise((resolve) => res.on('end', resolve));
    const closing = gateway.close();
    await ended;
    await closing;
    expect(body).toContain('[DONE]');
    expect(harness.mock.log()[0]?.disconnected).toBe(false);
    await expect(fetch(`${gateway.url}/healthz`)).rejects.toThrow();
  });
});

describe('gateway keep-alives', () => {
  it('sends the dialect keep-alive while a committed stream is quiet', async () => {
    harness = await createHarness({
      defaults: { firstTokenMs: 0, tokenMs: 1, answerTokens: 10 },
      models: { 'claude-sonnet-4-5': { faults: ['stall after=3 ms=1200'] } },
    });
    const gateway = await harness.start({
      routes: { default: ['anthropic/claude-sonnet-4-5'] },
      timeout: { connect: 500, headers: 800, firstToken: 800, idle: 3000, total: 8000, deadline: 10_000 },
      server: { keepAliveMs: 200, drainTimeoutMs: 1000 },
    });
    const res = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': GATEWAY_KEY },
      body: JSON.stringify({
        model: 'default',
        max_tokens: 100,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text.match(/event: ping/g)?.length ?? 0).toBeGreaterThanOrEqual(3);
    expect(text).toContain('event: message_stop');
  });
});
