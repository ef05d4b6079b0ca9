import { afterEach, describe, expect, it } from 'vitest';
import type { EngineTransport } from '../../src/engine/index.ts';
import { OutlastError } from '../../src/errors/index.ts';
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
  sseHeaders,
  startHttp,
  usageChunk,
} from './support.ts';

afterEach(cleanup);

const textOf = (parts: StreamPart[]) =>
  parts.map((p) => (p.type === 'block_delta' && p.delta.type === 'text' ? p.delta.text : '')).join('');

describe('transport.stream', () => {
  it('is the transport the engine is written against', () => {
    const transport: EngineTransport = createTransport();
    expect(typeof transport.stream).toBe('function');
  });

  it('posts the codec request with auth and streams canonical parts to the end', async () => {
    let seen: { url?: string; auth?: string; body?: string; accept?: string } = {};
    const server = await startHttp((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        seen = { url: req.url, auth: req.headers.authorization, body, accept: req.headers.accept };
        res.writeHead(200, sseHeaders);
        res.write(chunk({ role: 'assistant', content: '' }));
        res.write(chunk({ content: 'Hel' }));
        res.write(chunk({ content: 'lo' }));
        res.write(chunk({}, 'stop'));
        res.write(usageChunk);
        res.end('data: [DONE]\n\n');
      });
    });
    const transport = onTransport(createTransport());
    const upstream = await transport.stream(call(`${server.url}/v1`, attemptScope()));
    expect(upstream.status).toBe(200);
    expect(upstream.requestId).toBe('req_123');
    const parts = await collect(upstream);
    expect(textOf(parts)).toBe('Hello');
    expect(parts.at(-1)?.type).toBe('message_stop');
    expect(upstream.malformedEvents).toBe(0);
    expect(seen.url).toBe('/v1/chat/completions');
    expect(seen.auth).toBe('Bearer sk-test');
    expect(seen.accept).toBe('text/event-stream');
    expect(JSON.parse(seen.body ?? '')).toMatchObject({ model: 'm1', stream: true });
  });

  it('rejects a non-2xx with the codec-decoded error carrying the target, status and request id', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(429, {
        'content-type': 'application/json',
        'x-request-id': 'req_429',
        'retry-after': '7',
      });
      res.end(
        JSON.stringify({
          error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' },
        }),
      );
    });
    const transport = onTransport(createTransport());
    const error = await rejection(transport.stream(call(server.url, attemptScope())));
    expect(OutlastError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      kind: 'rate_limited',
      status: 429,
      provider: 'test',
      model: 'm1',
      requestId: 'req_429',
      retryAfterMs: 7000,
    });
  });
});

describe('a stream that goes silent after its stop reason', () => {
  it('is whole when the idle timeout ends it after the finish reason (the usage chunk and [DONE] never came)', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, sseHeaders);
      res.write(chunk({ role: 'assistant', content: 'Done' }));
      res.write(chunk({}, 'stop'));
      // Then nothing: the connection stays open.
    });
    const transport = onTransport(createTransport());
    const upstream = await transport.stream(
      call(`${server.url}/v1`, attemptScope({ idle: 150, total: 5000 })),
    );
    const parts = await collect(upstream);
    expect(textOf(parts)).toBe('Done');
    expect(parts.slice(-2)).toEqual([
      { type: 'message_delta', stopReason: 'end_turn' },
      { type: 'message_stop' },
    ]);
  });

  it('is still cut when it goes silent before the finish reason', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, sseHeaders);
      res.write(chunk({ role: 'assistant', content: 'Do' }));
    });
    const transport = onTransport(createTransport());
    const upstream = await transport.stream(
      call(`${server.url}/v1`, attemptScope({ idle: 150, total: 5000 })),
    );
    expect(await rejection(collect(upstream))).toMatchObject({ kind: 'timeout', phase: 'idle' });
  });

  it('a cancel after the finish reason is a cancel, not an end', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, sseHeaders);
      res.write(chunk({ role: 'assistant', content: 'Done' }));
      res.write(chunk({}, 'stop'));
    });
    const transport = onTransport(createTransport());
    const upstream = await transport.stream(
      call(`${server.url}/v1`, attemptScope({ idle: 5000, total: 5000 })),
    );
    const iterator = upstream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    setTimeout(() => upstream.cancel(), 50);
    const rest = await rejection(
      (async () => {
        for (let r = await iterator.next(); !r.done; r = await iterator.next());
      })(),
    );
    expect(rest).toMatchObject({ kind: 'cancelled' });
  });
});
