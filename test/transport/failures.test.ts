/** Network failures, cut and broken streams, error answers: each ends as the right typed OutlastError. */
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { OutlastError } from '../../src/errors/index.ts';
import { createDeadline } from '../../src/policy/deadline.ts';
import { createFakeClock } from '../../src/policy/fake-clock.ts';
import { createTransport } from '../../src/transport/index.ts';
import type { StreamPart } from '../../src/wire/canonical/index.ts';
import {
  attemptScope,
  call,
  chunk,
  cleanup,
  collect,
  onTransport,
  rejection,
  sleep,
  sseHeaders,
  startHttp,
  startNet,
  type TestServer,
  usageChunk,
} from './support.ts';

afterEach(cleanup);

const fixture = (name: string) =>
  readFileSync(new URL(`../../src/wire/openai/fixtures/${name}`, import.meta.url), 'utf8');

const textOf = (parts: StreamPart[]) =>
  parts.map((p) => (p.type === 'block_delta' && p.delta.type === 'text' ? p.delta.text : '')).join('');

async function serverSawClose(server: TestServer): Promise<boolean> {
  return Promise.race([
    Promise.all(server.sockets.map((s) => s.closed)).then(() => server.sockets.length > 0),
    sleep(2000).then(() => false),
  ]);
}

async function failureOf(stream: AsyncIterable<StreamPart>) {
  const parts: StreamPart[] = [];
  try {
    for await (const part of stream) parts.push(part);
  } catch (e) {
    return { error: e as OutlastError, parts };
  }
  throw new Error('the stream ended without an error');
}

/** A chunked SSE head, written raw so the test controls exactly where the bytes stop. */
const rawSseHead =
  'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nx-request-id: req_raw\r\n\r\n';
const rawChunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;

describe('before the response headers', () => {
  it('a refused connection is a network error naming the target', async () => {
    const gone = await startNet(() => undefined);
    await gone.close();
    const transport = onTransport(createTransport());
    const error = await rejection(transport.stream(call(gone.url, attemptScope())));
    expect(OutlastError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'network', provider: 'test', model: 'm1', retryable: true });
    expect((error as OutlastError).message).toContain('ECONNREFUSED');
  });

  it('an unknown host is a network error', async () => {
    const transport = onTransport(createTransport());
    // .invalid never resolves (RFC 6761): the resolver answers at once, no network needed.
    const error = await rejection(transport.stream(call('http://outlast-test.invalid', attemptScope())));
    expect(error).toMatchObject({ kind: 'network', provider: 'test', model: 'm1' });
    expect((error as OutlastError).message).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });

  it('a base URL that is not http(s) is a bad_request, not a network failure to retry', async () => {
    const transport = onTransport(createTransport());
    const error = await rejection(transport.stream(call('ftp://example.test', attemptScope())));
    expect(error).toMatchObject({ kind: 'bad_request', retryable: false, provider: 'test' });
    expect(await rejection(transport.stream(call('not a url', attemptScope())))).toMatchObject({
      kind: 'bad_request',
    });
  });

  it('a reset before the headers is a network error', async () => {
    const server = await startNet((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const transport = onTransport(createTransport());
    const error = await rejection(transport.stream(call(server.url, attemptScope())));
    expect(error).toMatchObject({ kind: 'network', provider: 'test', model: 'm1' });
  });

  it('a server that hangs up without answering is a network error', async () => {
    const server = await startNet((socket) => socket.once('data', () => socket.end()));
    const transport = onTransport(createTransport());
    const error = await rejection(transport.stream(call(server.url, attemptScope())));
    expect(error).toMatchObject({ kind: 'network', provider: 'test' });
  });

  it('the caller aborting while waiting for headers rejects with cancelled and closes the socket', async () => {
    const server = await startHttp(() => undefined);
    const caller = new AbortController();
    const transport = onTransport(createTransport());
    const pending = transport.stream(call(server.url, attemptScope({}, { signal: caller.signal })));
    await sleep(100);
    caller.abort(new Error('user left'));
    const error = await rejection(pending);
    expect(error).toMatchObject({ kind: 'cancelled' });
    expect(await serverSawClose(server)).toBe(true);
  });
});

describe('error answers', () => {
  it('an HTML 502 from a proxy still classifies as a server error with its status', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end(fixture('errors/502.proxy_html.txt'));
    });
    const transport = onTransport(createTransport());
    const error = await rejection(transport.stream(call(server.url, attemptScope())));
    expect(error).toMatchObject({
      kind: 'server',
      status: 502,
      provider: 'test',
      model: 'm1',
      retryable: true,
    });
  });

  it('retry-after-ms reaches retryAfterMs', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after-ms': '1500' });
      res.end(fixture('errors/503.overloaded.json'));
    });
    const transport = onTransport(createTransport());
    const error = await rejection(transport.stream(call(server.url, attemptScope())));
    expect(error).toMatchObject({ kind: 'overloaded', status: 503, retryAfterMs: 1500 });
  });

  it('a Retry-After HTTP date is read against the transport clock', async () => {
    const clock = createFakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const server = await startHttp((_req, res) => {
      res.writeHead(429, {
        'content-type': 'application/json',
        'retry-after': 'Thu, 01 Jan 2026 12:00:30 GMT',
      });
      res.end(fixture('errors/429.rate_limit_exceeded.json'));
    });
    const transport = onTransport(createTransport({ clock }));
    const error = await rejection(transport.stream(call(server.url, attemptScope())));
    expect(error).toMatchObject({ kind: 'rate_limited', retryAfterMs: 30_000 });
  });

  it('x-should-retry: false makes the error not retryable', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json', 'x-should-retry': 'false' });
      res.end(fixture('errors/500.server_error.json'));
    });
    const transport = onTransport(createTransport());
    const error = await rejection(transport.stream(call(server.url, attemptScope())));
    expect(error).toMatchObject({ kind: 'server', status: 500, retryable: false });
  });

  it('reads at most 64 KiB of an error body and still classifies it', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('x'.repeat(1024 * 1024));
    });
    const transport = onTransport(createTransport());
    const error = await rejection(transport.stream(call(server.url, attemptScope())));
    expect(error).toMatchObject({ kind: 'server', status: 500 });
  });

  it('a 200 JSON body where a stream was asked for is an invalid response', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(fixture('response.text.json'));
    });
    const transport = onTransport(createTransport());
    const error = await rejection(transport.stream(call(server.url, attemptScope())));
    expect(error).toMatchObject({ kind: 'invalid_response', status: 200, provider: 'test', retryable: true });
  });
});

describe('mid-stream', () => {
  it('a cut with no terminal event is stream_interrupted, after the parts that did arrive', async () => {
    const server = await startNet((socket) =>
      socket.once('data', () => {
        socket.write(rawSseHead + rawChunk(chunk({ role: 'assistant', content: 'The answer' })));
        setTimeout(() => socket.destroy(), 50);
      }),
    );
    const transport = onTransport(createTransport());
    const upstream = await transport.stream(call(server.url, attemptScope()));
    const { error, parts } = await failureOf(upstream);
    expect(textOf(parts)).toBe('The answer');
    expect(error).toMatchObject({
      kind: 'stream_interrupted',
      provider: 'test',
      model: 'm1',
      requestId: 'req_raw',
    });
    expect(error.cause).toBeDefined();
  });

  it('a socket reset mid-body is stream_interrupted with the reset as its cause', async () => {
    const server = await startNet((socket) =>
      socket.once('data', () => {
        socket.write(rawSseHead + rawChunk(chunk({ role: 'assistant', content: 'Part' })));
        setTimeout(() => socket.resetAndDestroy(), 50);
      }),
    );
    const transport = onTransport(createTransport());
    const upstream = await transport.stream(call(server.url, attemptScope()));
    const { error } = await failureOf(upstream);
    expect(error).toMatchObject({ kind: 'stream_interrupted', provider: 'test' });
    expect(JSON.stringify(error.cause, Object.getOwnPropertyNames(error.cause ?? {}))).toMatch(
      /ECONNRESET|other side closed|UND_ERR_SOCKET/,
    );
  });

  it('a body that ends cleanly before any finish is stream_interrupted, never a normal end', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, sseHeaders);
      res.end(fixture('stream.cut.sse'));
    });
    const transport = onTransport(createTransport());
    const upstream = await transport.stream(call(server.url, attemptScope()));
    const { error, parts } = await failureOf(upstream);
    expect(error).toMatchObject({
      kind: 'stream_interrupted',
      provider: 'test',
      model: 'm1',
      requestId: 'req_123',
    });
    expect(parts.some((p) => p.type === 'message_stop')).toBe(false);
  });

  it('an in-band error event is thrown as its OutlastError, with the target', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, sseHeaders);
      res.end(fixture('stream.midstream_error.sse'));
    });
    const transport = onTransport(createTransport());
    const upstream = await transport.stream(call(server.url, attemptScope()));
    const { error, parts } = await failureOf(upstream);
    expect(textOf(parts)).toBe('Partial');
    expect(OutlastError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'server', provider: 'test', model: 'm1', requestId: 'req_123' });
  });

  it('a malformed event is skipped and counted when the rest is intact', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, sseHeaders);
      res.end(fixture('stream.malformed_chunk.sse'));
    });
    const transport = onTransport(createTransport());
    const upstream = await transport.stream(call(server.url, attemptScope()));
    const parts = await collect(upstream);
    expect(textOf(parts)).toBe('Hello world');
    expect(parts.at(-1)?.type).toBe('message_stop');
    expect(upstream.malformedEvents).toBe(1);
  });

  it('a stream missing [DONE] finishes promptly even while the server holds the connection open', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, sseHeaders);
      res.write(fixture('stream.no_done.sse'));
      // Never ended: without the decoder's `complete`, the idle limit would fire.
    });
    const transport = onTransport(createTransport());
    const upstream = await transport.stream(call(server.url, attemptScope({ firstToken: 1500, idle: 1500 })));
    const parts = await collect(upstream);
    expect(textOf(parts)).toBe('Done without a terminator.');
    expect(parts.at(-1)?.type).toBe('message_stop');
  });

  it('a stream whose body ends after the finish but without usage or [DONE] ends normally', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, sseHeaders);
      res.end(chunk({ role: 'assistant', content: 'Short' }) + chunk({}, 'stop'));
    });
    const transport = onTransport(createTransport());
    const parts = await collect(await transport.stream(call(server.url, attemptScope())));
    expect(textOf(parts)).toBe('Short');
    expect(parts.at(-1)?.type).toBe('message_stop');
  });

  it('an event that never ends is an invalid response once it passes 8 MiB, not a full memory', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, sseHeaders);
      res.write('data: ');
      const block = 'x'.repeat(256 * 1024);
      const tick = setInterval(() => res.write(block), 1);
      res.on('close', () => clearInterval(tick));
    });
    const transport = onTransport(createTransport());
    const upstream = await transport.stream(call(server.url, attemptScope()));
    const { error } = await failureOf(upstream);
    expect(error).toMatchObject({ kind: 'invalid_response', provider: 'test' });
    expect(await serverSawClose(server)).toBe(true);
  });

  it('decodes UTF-8 split across chunk boundaries and events split across packets', async () => {
    const frame = Buffer.from(chunk({ role: 'assistant', content: 'héllo 🌍 wörld' }));
    const server = await startHttp((_req, res) => {
      res.writeHead(200, sseHeaders);
      let i = 0;
      const tick = setInterval(() => {
        if (i < frame.length) {
          res.write(frame.subarray(i, i + 7));
          i += 7;
        } else {
          clearInterval(tick);
          res.end(chunk({}, 'stop') + usageChunk + 'data: [DONE]\n\n');
        }
      }, 1);
    });
    const transport = onTransport(createTransport());
    const parts = await collect(await transport.stream(call(server.url, attemptScope())));
    expect(textOf(parts)).toBe('héllo 🌍 wörld');
  });
});

describe('leaving early', () => {
  const endless = (): http.RequestListener => (_req, res) => {
    res.writeHead(200, sseHeaders);
    const tick = setInterval(() => res.write(chunk({ content: 'x' })), 20);
    res.on('close', () => clearInterval(tick));
  };

  it('a consumer break closes the upstream socket', async () => {
    const server = await startHttp(endless());
    const transport = onTransport(createTransport());
    const upstream = await transport.stream(call(server.url, attemptScope()));
    let n = 0;
    for await (const part of upstream) {
      if (part.type === 'block_delta' && ++n === 3) break;
    }
    expect(await serverSawClose(server)).toBe(true);
  });

  it('cancel() before reading closes the socket, and reading then throws cancelled', async () => {
    const server = await startHttp(endless());
    const transport = onTransport(createTransport());
    const upstream = await transport.stream(call(server.url, attemptScope()));
    upstream.cancel();
    upstream.cancel();
    expect(await serverSawClose(server)).toBe(true);
    const { error } = await failureOf(upstream);
    expect(error).toMatchObject({ kind: 'cancelled', provider: 'test' });
  });

  it('cancel() mid-read ends the loop with cancelled', async () => {
    const server = await startHttp(endless());
    const transport = onTransport(createTransport());
    const upstream = await transport.stream(call(server.url, attemptScope()));
    setTimeout(() => upstream.cancel(new Error('enough')), 100);
    const { error, parts } = await failureOf(upstream);
    expect(parts.length).toBeGreaterThan(0);
    expect(error).toMatchObject({ kind: 'cancelled' });
    expect(await serverSawClose(server)).toBe(true);
  });

  it("the caller's abort mid-stream rejects the loop with cancelled and closes the socket", async () => {
    const server = await startHttp(endless());
    const caller = new AbortController();
    const deadline = createDeadline({ signal: caller.signal });
    const scope = deadline.attempt({}, { provider: 'test', model: 'm1' });
    const transport = onTransport(createTransport());
    const upstream = await transport.stream(call(server.url, scope));
    setTimeout(() => caller.abort(new Error('user left')), 100);
    const { error } = await failureOf(upstream);
    expect(error).toMatchObject({ kind: 'cancelled' });
    expect(await serverSawClose(server)).toBe(true);
    deadline.dispose();
  });

  it('a stream read to its terminal event gives its socket back to the pool, even before the body ends', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, sseHeaders);
      res.write(
        chunk({ role: 'assistant', content: 'hi' }) + chunk({}, 'stop') + usageChunk + 'data: [DONE]\n\n',
      );
      // The reader is done at [DONE]; the body's end comes a moment later and is drained, not cut.
      setTimeout(() => res.end(), 20);
    });
    const transport = onTransport(createTransport());
    for (let i = 0; i < 3; i++) {
      const parts = await collect(await transport.stream(call(server.url, attemptScope())));
      expect(parts.at(-1)?.type).toBe('message_stop');
      await sleep(60);
    }
    expect(server.sockets).toHaveLength(1);
  });

  it('a consumer that breaks at message_stop still gives the socket back', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, sseHeaders);
      res.write(
        chunk({ role: 'assistant', content: 'hi' }) + chunk({}, 'stop') + usageChunk + 'data: [DONE]\n\n',
      );
      setTimeout(() => res.end(), 20);
    });
    const transport = onTransport(createTransport());
    for (let i = 0; i < 2; i++) {
      for await (const part of await transport.stream(call(server.url, attemptScope()))) {
        if (part.type === 'message_stop') break;
      }
      await sleep(60);
    }
    expect(server.sockets).toHaveLength(1);
  });
});
