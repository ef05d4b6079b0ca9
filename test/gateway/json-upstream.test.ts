/**
 * The gateway with `stream: { upstream: 'when-streaming' }` over real sockets against the mock:
 * a non-streaming call is answered from one JSON body upstream, byte for byte what the default
 * gateway answers, and an upstream error reaches the client with the same status, headers and
 * body as with the default.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const routes = { default: ['openai/gpt-4.1'] };
const body = { model: 'default', max_tokens: 40, messages: [{ role: 'user', content: 'hello there' }] };

async function post(url: string, path: string, payload: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${GATEWAY_KEY}`, ...headers },
    body: JSON.stringify(payload),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

/** What differs between two answers to the same question: ids and timestamps. */
const stable = (json: Record<string, unknown>) => ({ ...json, id: '(id)', created: 0 });

describe('gateway with JSON upstream', () => {
  it('answers a non-streaming call in both dialects as the default gateway does, asking the mock for JSON', async () => {
    harness = await createHarness();
    const streamed = await harness.start({ routes });
    const json = await harness.start({ routes, stream: { upstream: 'when-streaming' } });
    for (const [path, payload] of [
      ['/v1/chat/completions', body],
      ['/v1/messages', { ...body, model: 'default' }],
    ] as const) {
      harness.mock.reset();
      const a = await post(streamed.url, path, payload);
      const b = await post(json.url, path, payload);
      expect(harness.mock.log().map((e) => e.stream)).toEqual([true, false]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(stable(b.json)).toEqual(stable(a.json));
    }
  });

  it('an upstream 429 reaches the client with the same status, retry-after and body as with the default', async () => {
    harness = await createHarness({ models: { 'gpt-4.1': { faults: ['429 retry-after=30'] } } });
    const streamed = await harness.start({ routes });
    const json = await harness.start({ routes, stream: { upstream: 'when-streaming' } });
    const a = await post(streamed.url, '/v1/chat/completions', body);
    const b = await post(json.url, '/v1/chat/completions', body);
    expect(harness.mock.log().map((e) => [e.stream, e.status])).toEqual([
      [true, 429],
      [false, 429],
    ]);
    expect(b.status).toBe(429);
    expect(b.headers.get('retry-after')).toBe(a.headers.get('retry-after'));
    expect(b.headers.get('retry-after')).toBeTruthy();
    // The same body but for the time each call took, which the message tells.
    const timeless = (json: unknown) =>
      JSON.parse(JSON.stringify(json).replace(/\(\d+(\.\d+)? m?s\)/g, '(…)'));
    expect(timeless(b.json)).toEqual(timeless(a.json));
  });
});
