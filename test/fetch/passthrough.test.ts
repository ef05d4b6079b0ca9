import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutlastError } from '../../src/errors/index.ts';
import { createFetch, type OutlastFetch } from '../../src/integrations/fetch/index.ts';

/** A plain upstream for the calls outlast does not run through the engine; each test scripts its answers. */
let server: Server;
let base: string;
let seen: Array<{ method: string; url: string; body: string; headers: IncomingMessage['headers'] }>;
let answer: (req: IncomingMessage, res: ServerResponse, n: number) => void;
let f: OutlastFetch;

beforeEach(async () => {
  seen = [];
  server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method ?? '', url: req.url ?? '', body, headers: req.headers });
    answer(req, res, seen.length);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  f = createFetch({
    providers: { openai: { type: 'openai', baseURL: `${base}/v1` } },
    passthrough: { timeoutMs: 300, retries: 1, maxWaitMs: 50 },
  });
});
afterEach(async () => {
  await f.close();
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

describe('outlast/fetch pass-through (calls that are not generation calls)', () => {
  it('forwards method, path, query, headers and body as they are, and the answer back', async () => {
    answer = (_req, res) => json(res, 201, { id: 'file-1' }, { 'x-request-id': 'req_up' });
    const res = await f(`${base}/v1/files?purpose=batch`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-user', 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBe('req_up');
    expect(await res.json()).toEqual({ id: 'file-1' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/v1/files?purpose=batch',
      body: '{"hello":"world"}',
    });
    expect(seen[0]?.headers.authorization).toBe('Bearer sk-user');
  });

  it('retries a GET once on a transient status, then answers what came', async () => {
    answer = (_req, res, n) => (n === 1 ? json(res, 503, { error: 'busy' }) : json(res, 200, { data: [] }));
    const res = await f(`${base}/v1/models`);
    expect(res.status).toBe(200);
    expect(seen.map((s) => s.method)).toEqual(['GET', 'GET']);

    seen = [];
    answer = (_req, res) => json(res, 503, { error: 'busy' });
    const still = await f(`${base}/v1/models`);
    expect(still.status).toBe(503);
    expect(seen).toHaveLength(2);
  });

  it('does not retry a GET the server says not to or hints too long a wait for, nor a POST that reached the server', async () => {
    answer = (_req, res) => json(res, 503, { error: 'busy' }, { 'x-should-retry': 'false' });
    expect((await f(`${base}/v1/models`)).status).toBe(503);
    expect(seen).toHaveLength(1);

    seen = [];
    // A hint longer than passthrough.maxWaitMs: the answer goes back to the SDK as is.
    answer = (_req, res) => json(res, 429, { error: 'later' }, { 'retry-after': '5' });
    const hinted = await f(`${base}/v1/models`);
    expect(hinted.status).toBe(429);
    expect(hinted.headers.get('retry-after')).toBe('5');
    expect(seen).toHaveLength(1);

    seen = [];
    answer = (_req, res) => json(res, 503, { error: 'busy' });
    expect((await f(`${base}/v1/batches`, { method: 'POST', body: '{}' })).status).toBe(503);
    expect(seen).toHaveLength(1);
  });

  it('times out a silent upstream with a typed timeout error, after its one retry', async () => {
    answer = () => {};
    const error = await f(`${base}/v1/models`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(OutlastError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'timeout', phase: 'headers', limitMs: 300 });
    expect(seen).toHaveLength(2);
  });

  it("stops on the caller's signal, before and during the body", async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write('first;');
    };
    const controller = new AbortController();
    const res = await f(`${base}/v1/files/file-1/content`, { signal: controller.signal });
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('first;');
    controller.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });

    const aborted = new AbortController();
    aborted.abort();
    await expect(f(`${base}/v1/models`, { signal: aborted.signal })).rejects.toBeDefined();
  });
});
