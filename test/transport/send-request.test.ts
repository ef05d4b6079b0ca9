/** The non-streaming call, the raw pass-through request, close(), and what is left behind (nothing). */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { OutlastError } from '../../src/errors/index.ts';
import { createTransport } from '../../src/transport/index.ts';
import {
  attemptScope,
  call,
  chatSpec,
  chunk,
  cleanup,
  collect,
  onTransport,
  rejection,
  sleep,
  sseHeaders,
  startHttp,
  startNet,
} from './support.ts';

afterEach(cleanup);

const fixture = (name: string) =>
  readFileSync(new URL(`../../src/wire/openai/fixtures/${name}`, import.meta.url), 'utf8');
const nonStreaming = { ...chatSpec, body: { model: 'm1', messages: [{ role: 'user', content: 'hi' }] } };

describe('transport.send', () => {
  it('posts and decodes the JSON answer into a canonical response', async () => {
    let accept: string | undefined;
    const server = await startHttp((req, res) => {
      accept = req.headers.accept;
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_send' });
      res.end(fixture('response.text.json'));
    });
    const transport = onTransport(createTransport());
    const answer = await transport.send(call(server.url, attemptScope(), undefined, nonStreaming));
    expect(answer.status).toBe(200);
    expect(answer.requestId).toBe('req_send');
    expect(answer.response.content[0]).toMatchObject({ type: 'text' });
    expect(accept).toBe('application/json');
  });

  it('rejects a body that is not JSON as an invalid response', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id": "chatcmpl-1", "choices": [');
    });
    const transport = onTransport(createTransport());
    const error = await rejection(transport.send(call(server.url, attemptScope(), undefined, nonStreaming)));
    expect(error).toMatchObject({ kind: 'invalid_response', status: 200, provider: 'test', model: 'm1' });
  });

  it('rejects JSON that is not a response as an invalid response', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"hello": "world"}');
    });
    const transport = onTransport(createTransport());
    const error = await rejection(transport.send(call(server.url, attemptScope(), undefined, nonStreaming)));
    expect(error).toMatchObject({ kind: 'invalid_response', provider: 'test', model: 'm1' });
  });

  it('rejects an error answer with the decoded error', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(fixture('errors/400.context_length_exceeded.json'));
    });
    const transport = onTransport(createTransport());
    const error = await rejection(transport.send(call(server.url, attemptScope(), undefined, nonStreaming)));
    expect(error).toMatchObject({ kind: 'context_length', status: 400, retryable: false, provider: 'test' });
  });

  it('times out a body that stalls halfway under the idle budget', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id": "chatcmpl-1",');
    });
    const transport = onTransport(createTransport());
    const error = await rejection(
      transport.send(call(server.url, attemptScope({ idle: 200 }), undefined, nonStreaming)),
    );
    expect(error).toMatchObject({ kind: 'timeout', phase: 'idle', limitMs: 200 });
  });
});

describe("transport.stream with answer: 'json'", () => {
  it('asks for JSON and hands the decoded answer out as the parts of a stream', async () => {
    let accept: string | undefined;
    const server = await startHttp((req, res) => {
      accept = req.headers.accept;
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_json' });
      res.end(fixture('response.text.json'));
    });
    const transport = onTransport(createTransport());
    const expected = (await transport.send(call(server.url, attemptScope(), undefined, nonStreaming)))
      .response;
    const upstream = await transport.stream({
      ...call(server.url, attemptScope(), undefined, nonStreaming),
      answer: 'json',
    });
    expect(accept).toBe('application/json');
    expect(upstream.requestId).toBe('req_json');
    const parts = await collect(upstream);
    expect(parts.map((p) => p.type)).toEqual([
      'message_start',
      'block_start',
      'block_delta',
      'block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(parts[2]).toMatchObject({
      delta: { type: 'text', text: (expected.content[0] as { text: string }).text },
    });
    expect(parts[4]).toMatchObject({ stopReason: expected.stopReason, usage: expected.usage });
  });

  it('a body that breaks off after the headers is a cut answer, not a success', async () => {
    const body = fixture('response.text.json');
    const server = await startNet((socket) =>
      socket.once('data', () => {
        socket.write(
          `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nx-request-id: req_cut\r\n\r\n${body.slice(0, 40)}`,
        );
        setTimeout(() => socket.destroy(), 20);
      }),
    );
    const transport = onTransport(createTransport());
    const error = await rejection(
      transport.stream({ ...call(server.url, attemptScope(), undefined, nonStreaming), answer: 'json' }),
    );
    expect(error).toMatchObject({ kind: 'stream_interrupted', provider: 'test', requestId: 'req_cut' });
    expect((error as Error).message).toMatch(/after 40 bytes of its JSON body/);
  });

  it('a body without a length that ends early is not JSON: an invalid response', async () => {
    const server = await startNet((socket) =>
      socket.once('data', () => {
        socket.end(
          'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"id": "chatcmpl-1",',
        );
      }),
    );
    const transport = onTransport(createTransport());
    const error = await rejection(
      transport.stream({ ...call(server.url, attemptScope(), undefined, nonStreaming), answer: 'json' }),
    );
    expect(error).toMatchObject({ kind: 'invalid_response', status: 200 });
  });
});

describe('transport.request', () => {
  it('passes a request through and hands back the raw body as a web stream', async () => {
    let seen: { method?: string; url?: string; key?: string } = {};
    const server = await startHttp((req, res) => {
      seen = { method: req.method, url: req.url, key: req.headers['x-api-key'] as string };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data":[{"id":"m1"}]}');
    });
    const transport = onTransport(createTransport());
    const answer = await transport.request({
      url: `${server.url}/v1/models`,
      method: 'GET',
      headers: { 'x-api-key': 'k' },
      scope: attemptScope(),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(await new Response(answer.body).json()).toEqual({ data: [{ id: 'm1' }] });
    expect(seen).toEqual({ method: 'GET', url: '/v1/models', key: 'k' });
  });

  it('returns non-2xx answers as they are, undecoded', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('nope');
    });
    const transport = onTransport(createTransport());
    const answer = await transport.request({
      url: `${server.url}/x`,
      method: 'GET',
      headers: {},
      scope: attemptScope(),
    });
    expect(answer.status).toBe(404);
    expect(await new Response(answer.body).text()).toBe('nope');
  });

  it('gives a null body for 204', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const transport = onTransport(createTransport());
    const answer = await transport.request({
      url: `${server.url}/x`,
      method: 'DELETE',
      headers: {},
      scope: attemptScope(),
    });
    expect(answer.body).toBeNull();
  });

  it('applies the headers timeout, and cancelling the body closes the socket', async () => {
    const silent = await startHttp(() => undefined);
    const transport = onTransport(createTransport());
    const error = await rejection(
      transport.request({
        url: `${silent.url}/x`,
        method: 'GET',
        headers: {},
        scope: attemptScope({ headers: 150 }),
      }),
    );
    expect(error).toMatchObject({ kind: 'timeout', phase: 'headers', limitMs: 150 });

    const endless = await startHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const tick = setInterval(() => res.write('x'), 10);
      res.on('close', () => clearInterval(tick));
    });
    const answer = await transport.request({
      url: `${endless.url}/x`,
      method: 'GET',
      headers: {},
      scope: attemptScope(),
    });
    const reader = answer.body!.getReader();
    await reader.read();
    await reader.cancel();
    const closed = await Promise.race([
      endless.sockets[0]!.closed.then(() => true),
      sleep(2000).then(() => false),
    ]);
    expect(closed).toBe(true);
  });

  it('an idle stall in a raw body errors the web stream with the idle timeout', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write('a');
    });
    const transport = onTransport(createTransport());
    const answer = await transport.request({
      url: `${server.url}/x`,
      method: 'GET',
      headers: {},
      scope: attemptScope({ idle: 150 }),
    });
    const error = await rejection(new Response(answer.body).text());
    expect(error).toMatchObject({ kind: 'timeout', phase: 'idle' });
  });
});

describe('lifecycle', () => {
  it('close() ends calls in flight, and calls after it are refused', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, sseHeaders);
      res.write(chunk({ role: 'assistant', content: 'x' }));
    });
    const transport = createTransport();
    const upstream = await transport.stream(call(server.url, attemptScope()));
    await transport.close();
    await transport.close();
    const error = await rejection(collect(upstream));
    expect(OutlastError.isInstance(error)).toBe(true);
    const after = await rejection(transport.stream(call(server.url, attemptScope())));
    expect(after).toMatchObject({ kind: 'cancelled', retryable: false });
  });

  it('rejects bad options at construction, naming them', () => {
    expect(() => createTransport({ connectionsPerOrigin: 0 })).toThrow(/connectionsPerOrigin/);
    expect(() => createTransport({ keepAliveTimeoutMs: -1 })).toThrow(/keepAliveTimeoutMs/);
  });
});
