/**
 * Redaction by value (issue 15): an upstream that echoes the gateway's credentials back in
 * every error shape (whole, masked as `sk-proj-****…bkFJ`, a bare 6-character suffix, in an
 * HTML page, a header, a stream's error event) never gets a piece of the key to a client, a
 * log line, /status or /metrics. The upstream here is a small server of its own because the
 * mock provider never sees a key worth echoing; it speaks OpenAI's wire format over real sockets.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, hashKey, startGateway } from '../../src/gateway/index.ts';
import { GATEWAY_KEY } from './support.ts';

// No digits and no lowercase hex letters, so no request id or timing can contain a piece of it by chance.
const KEY = 'sk-proj-QXZVKJWQPMZRXTQHVBKWZQJXPLMVNZXQWKJHRSTUVWbkFJ';
const BODY = KEY.slice('sk-proj-'.length);
const fragments = Array.from({ length: BODY.length - 3 }, (_, i) => BODY.slice(i, i + 4));

/** The shapes the echoing upstream answers with, by model name. */
function echo(shape: string, key: string): { status: number; headers: Record<string, string>; body: string } {
  const masked = `${key.slice(0, 8)}${'*'.repeat(20)}…${key.slice(-4)}`;
  const json = (status: number, message: string, extra: Record<string, unknown> = {}) => ({
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      error: { message, type: 'invalid_request_error', param: null, code: null, ...extra },
    }),
  });
  switch (shape) {
    case 'masked-401':
      return json(
        401,
        `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        { code: 'invalid_api_key' },
      );
    case 'whole-400':
      return json(400, `Invalid request for key ${key}`, { param: key });
    case 'suffix-429':
      return {
        ...json(429, `Rate limit reached for key ending ${key.slice(-6)}`),
        headers: { 'content-type': 'application/json', 'retry-after': '0' },
      };
    case 'suffix-404':
      return json(404, `The model does not exist or key ...${key.slice(-6)} has no access to it`, {
        code: 'model_not_found',
      });
    case 'html-502':
      return {
        status: 502,
        headers: { 'content-type': 'text/html' },
        body: `<html><body>Bad gateway for ${key} (${masked})</body></html>`,
      };
    case 'header-500':
      return {
        ...json(500, `internal error (${key.slice(-6)})`),
        headers: { 'content-type': 'application/json', 'x-echo-key': key },
      };
    default:
      return json(400, `unknown shape ${shape}`);
  }
}

const SHAPES = ['masked-401', 'whole-400', 'suffix-429', 'suffix-404', 'html-502', 'header-500'];

let upstream: Server;
let gateway: Gateway;
const lines: string[] = [];
const capture = (level: string) => (obj: object, msg?: string) =>
  lines.push(JSON.stringify({ level, ...obj, msg }));

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const key = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const model = (JSON.parse(text) as { model: string }).model;
      if (model === 'stream-error') {
        // A stream that starts, then fails with an error event quoting the key.
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const chunk = (delta: object, finish: string | null = null) =>
          `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
        res.write(chunk({ role: 'assistant', content: 'Hello' }));
        res.end(
          `data: ${JSON.stringify({ error: { message: `stream failed for ${key} / ...${key.slice(-6)}`, type: 'server_error' } })}\n\n`,
        );
        return;
      }
      const answer = echo(model, key);
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const port = (upstream.address() as AddressInfo).port;
  gateway = await startGateway({
    config: {
      providers: { openai: { type: 'openai', baseURL: `http://127.0.0.1:${port}/v1`, apiKey: KEY } },
      routes: { default: ['openai/masked-401'] },
      // Each model name picks a behaviour of the upstream above: they must reach it.
      allowAnyModel: true,
      keys: [hashKey(GATEWAY_KEY)],
      retry: { attempts: 1, baseMs: 1, capMs: 2 },
      server: { drainTimeoutMs: 500, drainGraceMs: 0 },
    },
    port: 0,
    host: '127.0.0.1',
    logger: {
      warn: capture('warn'),
      error: capture('error'),
      info: capture('info'),
      debug: capture('debug'),
    },
  });
});
afterAll(async () => {
  await gateway?.close();
  await new Promise((r) => upstream?.close(r));
});

function leaked(text: string): string[] {
  return fragments.filter((f) => text.includes(f));
}

async function call(model: string, stream: boolean) {
  const res = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: `openai/${model}`, stream, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const headers = [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n');
  return { status: res.status, text: `${headers}\n${await res.text()}` };
}

describe('redaction by value', () => {
  it.each(SHAPES.flatMap((shape) => [[shape, false] as const, [shape, true] as const]))(
    'no piece of the key reaches the client: %s (stream %s)',
    async (shape, stream) => {
      const answer = await call(shape, stream);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(leaked(answer.text)).toEqual([]);
    },
  );

  it('no piece of the key reaches the client from an error event mid-stream', async () => {
    const answer = await call('stream-error', true);
    expect(answer.text).toContain('Hello');
    expect(leaked(answer.text)).toEqual([]);
  });

  it('no piece of the key reaches a log line, /status or /metrics after all of them', async () => {
    for (const shape of SHAPES) await call(shape, false);
    const status = await (await fetch(`${gateway.url}/status`)).text();
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(status).toContain('recentFailures');
    expect(lines.length).toBeGreaterThan(SHAPES.length);
    expect(leaked(lines.join('\n'))).toEqual([]);
    expect(leaked(status)).toEqual([]);
    expect(leaked(metrics)).toEqual([]);
  });
});
