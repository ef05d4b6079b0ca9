import OpenAI from 'openai';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockProvider, startMockProvider } from '../../src/testing/index.ts';

let mock: MockProvider;
let client: OpenAI;
beforeAll(async () => {
  mock = await startMockProvider({ seed: 11, models: { 'no-prefill': { rejectsPrefill: true } } });
  client = new OpenAI({ baseURL: mock.baseURLs.openai, apiKey: 'k', maxRetries: 0 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

const question = { role: 'user' as const, content: 'Tell me about breakers.' };

async function streamedText(body: object, fault?: string): Promise<string> {
  const res = await request(`${mock.baseURLs.openai}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(fault ? { 'x-mock-fault': fault } : {}) },
    body: JSON.stringify({ ...body, stream: true }),
  });
  let raw = '';
  try {
    for await (const chunk of res.body) raw += chunk;
  } catch {
    // a cut stream ends in a socket error; what arrived is in `raw`
  }
  let text = '';
  for (const frame of raw.split('\n\n')) {
    const data = frame.replace(/^data: /, '');
    if (!data || data === '[DONE]') continue;
    text += JSON.parse(data).choices?.[0]?.delta?.content ?? '';
  }
  return text;
}

describe('continuing a broken answer', () => {
  it('answers a prefill of its own partial answer with exactly the rest', async () => {
    const full = (await client.chat.completions.create({ model: 'm', messages: [question] })).choices[0]!
      .message.content!;
    const partial = await streamedText({ model: 'm', messages: [question] }, 'cut after=5');
    expect(full.startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(full.length);
    const rest = await streamedText({
      model: 'm',
      messages: [question, { role: 'assistant', content: partial }],
    });
    expect(partial + rest).toBe(full);
    expect(mock.log().at(-1)).toMatchObject({ continuation: 'prefill', continuationMatched: true });
  });

  it('answers a "continue" turn with an overlap of the partial answer, then the rest', async () => {
    const full = (await client.chat.completions.create({ model: 'm', messages: [question] })).choices[0]!
      .message.content!;
    const partial = full.slice(0, full.indexOf(' ', 50));
    const next = await streamedText({
      model: 'm',
      messages: [
        question,
        { role: 'assistant', content: partial },
        { role: 'user', content: 'Your previous answer was cut off. Continue it exactly where it stopped.' },
      ],
    });
    const start = full.indexOf(next);
    expect(start).toBeGreaterThan(0);
    expect(start).toBeLessThan(partial.length - 8);
    expect(partial + next.slice(partial.length - start)).toBe(full);
    expect(mock.log().at(-1)).toMatchObject({ continuation: 'continue', continuationMatched: true });
  });

  it('rejects the prefill on a model flagged rejectsPrefill', async () => {
    const error = await client.chat.completions
      .create({ model: 'no-prefill', messages: [question, { role: 'assistant', content: 'Breakers' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(mock.log()[0]).toMatchObject({ status: 400, continuation: 'prefill' });
  });
});

describe('load', () => {
  it('serves 1,000 concurrent streams to the end', async () => {
    const agent = new Agent({ connections: 1000, pipelining: 0 });
    try {
      const slow = { 'x-mock-fault': 'slow_tokens ms=5' };
      const one = async () => {
        const res = await request(`${mock.baseURLs.openai}/chat/completions`, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json', ...slow },
          body: JSON.stringify({ model: 'm', messages: [question], stream: true, max_tokens: 20 }),
        });
        return (await res.body.text()).endsWith('data: [DONE]\n\n');
      };
      const results = await Promise.all(Array.from({ length: 1000 }, one));
      expect(results.every(Boolean)).toBe(true);
      const log = mock.log();
      expect(log).toHaveLength(1000);
      expect(log.every((e) => e.tokensSent === 20 && !e.disconnected && e.status === 200)).toBe(true);
    } finally {
      await agent.close();
    }
  });
});
