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
