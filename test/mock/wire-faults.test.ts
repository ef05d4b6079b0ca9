import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockProvider, startMockProvider } from '../../src/testing/index.ts';
import { rawExchange, rawRequest } from './raw.ts';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMockProvider({ seed: 1 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => {
  mock.reset();
});

const chat = { model: 'gpt-test', messages: [{ role: 'user', content: 'hello' }] };
const chatStream = { ...chat, stream: true };

const post = (path: string, body: unknown, headers: Record<string, string> = {}, timeouts = {}) =>
  request(`${mock.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    ...timeouts,
  });

describe('connection faults on the wire', () => {
  it('resets the TCP connection before any header', async () => {
    const result = await rawExchange(
      mock.port,
      rawRequest('/v1/chat/completions', chat, { 'x-mock-fault': 'reset' }),
    );
    expect(result).toMatchObject({ data: '', end: 'reset', errorCode: 'ECONNRESET' });
    await expect(post('/v1/chat/completions', chat, { 'x-mock-fault': 'reset' })).rejects.toMatchObject({
      code: expect.stringMatching(/ECONNRESET|UND_ERR_SOCKET/),
    });
  });

  it('accepts and never answers', async () => {
    const result = await rawExchange(
      mock.port,
      rawRequest('/v1/chat/completions', chat, { 'x-mock-fault': 'hang' }),
      300,
    );
    expect(result).toEqual({ data: '', end: 'open' });
  });

  it('sends headers then silence', async () => {
    const result = await rawExchange(
      mock.port,
      rawRequest('/v1/chat/completions', chatStream, { 'x-mock-fault': 'silence' }),
      300,
    );
    expect(result.end).toBe('open');
    expect(result.data).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(result.data).toMatch(/content-type: text\/event-stream/i);
    expect(result.data.endsWith('\r\n\r\n')).toBe(true);
    const res = await post(
      '/v1/chat/completions',
      chatStream,
      { 'x-mock-fault': 'silence' },
      { bodyTimeout: 200 },
    );
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toMatchObject({ code: 'UND_ERR_BODY_TIMEOUT' });
  });

  it('gives a URL where the connection is refused', async () => {
    await expect(
      request(`${mock.refusedUrl()}/v1/chat/completions`, { method: 'POST', body: '{}' }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('delays the first token', async () => {
    const started = performance.now();
    const res = await post('/v1/chat/completions', chatStream, { 'x-mock-fault': 'slow_first_token ms=150' });
    expect(res.statusCode).toBe(200);
    await res.body.text();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(mock.log()[0]).toMatchObject({ fault: 'slow first=150ms', status: 200 });
  });
});

describe('stream faults on the wire', () => {
  it('cuts the chunked body after N tokens: no terminal chunk, no [DONE]', async () => {
    const result = await rawExchange(
      mock.port,
      rawRequest('/v1/chat/completions', chatStream, { 'x-mock-fault': 'cut after=3' }),
    );
    expect(result.end).toBe('closed');
    expect(result.data).toMatch(/transfer-encoding: chunked/i);
    expect(result.data.match(/"content":"[^"]/g)).toHaveLength(3);
    expect(result.data).not.toContain('[DONE]');
    expect(result.data).not.toContain('finish_reason":"');
    expect(result.data.endsWith('0\r\n\r\n')).toBe(false);
    const res = await post('/v1/chat/completions', chatStream, { 'x-mock-fault': 'cut after=3' });
    await expect(res.body.text()).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect(mock.log().map((e) => [e.fault, e.tokensSent, e.disconnected])).toEqual([
      ['cut after=3', 3, false],
      ['cut after=3', 3, false],
    ]);
  });

  it('stalls after N tokens (for good: the reader times out holding N tokens)', async () => {
    const res = await post(
      '/v1/chat/completions',
      chatStream,
      { 'x-mock-fault': 'stall after=2' },
      { bodyTimeout: 300 },
    );
    let text = '';
    await expect(
      (async () => {
        for await (const chunk of res.body) text += chunk;
      })(),
    ).rejects.toMatchObject({ code: 'UND_ERR_BODY_TIMEOUT' });
    expect(text.match(/"content":"[^"]/g)).toHaveLength(2);
    await expect.poll(() => mock.log()[0]?.disconnected).toBe(true);
  });

  it('stalls for a while then finishes the answer', async () => {
    const res = await post('/v1/chat/completions', chatStream, { 'x-mock-fault': 'stall after=2 ms=100' });
    const text = await res.body.text();
    expect(text).toContain('data: [DONE]');
    expect(mock.log()[0]).toMatchObject({ fault: 'stall after=2 ms=100', disconnected: false });
  });

  it('puts a malformed event at N and the rest intact', async () => {
    const res = await post('/v1/chat/completions', chatStream, { 'x-mock-fault': 'malformed at=2' });
    const frames = (await res.body.text()).split('\n\n').filter(Boolean);
    const bad = frames.findIndex((f) => {
      try {
        const data = f.replace(/^data: /, '');
        if (data !== '[DONE]') JSON.parse(data);
        return false;
      } catch {
        return true;
      }
    });
    // role chunk, 2 tokens, then the broken frame
    expect(bad).toBe(3);
    expect(frames.at(-1)).toBe('data: [DONE]');
  });

  it('sends the in-band error chunk after N tokens and no [DONE]', async () => {
    const res = await post('/v1/chat/completions', chatStream, { 'x-mock-fault': 'error_event at=2' });
    const text = await res.body.text();
    expect(res.statusCode).toBe(200);
    const frames = text.split('\n\n').filter(Boolean);
    expect(JSON.parse(frames.at(-1)!.replace(/^data: /, ''))).toMatchObject({
      error: { message: expect.any(String) },
    });
    expect(text).not.toContain('[DONE]');
  });

  it('leaves out [DONE]', async () => {
    const res = await post('/v1/chat/completions', chatStream, { 'x-mock-fault': 'no_terminal' });
    const text = await res.body.text();
    expect(text).toContain('"finish_reason":"stop"');
    expect(text).not.toContain('[DONE]');
  });

  it('logs a client that goes away mid-stream', async () => {
    const controller = new AbortController();
    const res = await post(
      '/v1/chat/completions',
      chatStream,
      { 'x-mock-fault': 'slow_tokens ms=50' },
      { signal: controller.signal },
    );
    const reader = res.body[Symbol.asyncIterator]();
    await reader.next();
    controller.abort();
    await expect.poll(() => mock.log()[0]?.disconnected).toBe(true);
    expect(mock.log()[0]!.tokensSent).toBeLessThan(mock.log()[0]!.tokensSent + 64);
  });
});
