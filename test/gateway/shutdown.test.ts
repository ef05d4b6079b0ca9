/**
 * Shutting down (what SIGTERM runs): a client that reuses an idle keep-alive connection gets
 * a 503 with retry-after rather than a refused or reset connection, and a stream still going
 * at the drain deadline ends with a retryable overloaded error event rather than "the engine
 * closed". Also: the unknown-endpoint 404 says unknown_url, not model_not_found.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openSocket, readAnswer } from './raw-http.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

let harness: Harness | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await harness?.close();
  harness = undefined;
});

const chat = JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'hi' }] });
const post = (path: string, body: string, extra = '') =>
  `POST ${path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${GATEWAY_KEY}\r\ncontent-type: application/json\r\n${extra}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('shutdown', () => {
  it('answers a request on an idle keep-alive connection 503 with retry-after after close() begins', async () => {
    harness = await createHarness({ defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 5 } });
    const gateway = await harness.start({
      routes: { default: ['openai/gpt-4.1'] },
      server: { drainTimeoutMs: 1500, drainGraceMs: 1000 },
    });
    const socket = await openSocket(gateway.url);
    sockets.push(socket);
    socket.write(post('/v1/chat/completions', chat));
    expect((await readAnswer(socket)).status).toBe(200);
    // The connection is idle in the client's pool when the gateway is told to stop.
    const closing = gateway.close();
    await new Promise((r) => setTimeout(r, 50));
    socket.write(post('/v1/chat/completions', chat));
    const answer = await readAnswer(socket);
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body).error.message).toMatch(/shutting down/);
    await closing;
  });

  it('ends a stream cut at the drain deadline with a retryable overloaded error event', async () => {
    harness = await createHarness({ defaults: { firstTokenMs: 0, tokenMs: 40, answerTokens: 200 } });
    const gateway = await harness.start({
      routes: { default: ['anthropic/claude-sonnet-4-5'] },
      server: { drainTimeoutMs: 300 },
    });
    const res = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': GATEWAY_KEY,
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
      },
      body: JSON.stringify({
        model: 'default',
        max_tokens: 1000,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const first = await reader.read();
    text += new TextDecoder().decode(first.value);
    const closing = gateway.close();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await closing;
    const errorEvent = /event: error\ndata: (.*)\n/.exec(text)?.[1];
    expect(errorEvent).toBeDefined();
    const error = JSON.parse(errorEvent as string) as { error: { type: string; message: string } };
    expect(error.error.type).toBe('overloaded_error');
    expect(error.error.message).toMatch(/drain deadline/);
  });

  it('answers an unknown endpoint 404 with OpenAI’s unknown_url code', async () => {
    harness = await createHarness();
    const gateway = await harness.start({ routes: { default: ['openai/gpt-4.1'] } });
    const res = await fetch(`${gateway.url}/v1/chat/completion`, { method: 'POST', body: chat });
    expect(res.status).toBe(404);
    const body = (await res.json()) as {
      error: { code: string | null; param: string | null; message: string };
    };
    expect(body.error.code).toBe('unknown_url');
    expect(body.error.param).toBeNull();
    expect(body.error.message).toMatch(/POST \/v1\/chat\/completion/);
  });
});
