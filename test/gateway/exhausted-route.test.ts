/**
 * What a client sees when a call ends in an error (issue 13): once outlast has spent the route,
 * `x-should-retry: false` so the client SDK's own retries do not multiply attempts, and a
 * message naming each target tried and its cause; when every target is cooling for long, an
 * immediate 429 with `retry-after` instead of a held connection.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const ROUTE = { default: ['openai/gpt-4.1', 'anthropic/claude-sonnet-4-5'] };

describe('an exhausted route', () => {
  it('answers with x-should-retry: false and names every target tried with its cause', async () => {
    harness = await createHarness({
      models: { 'gpt-4.1': { faults: ['500'] }, 'claude-sonnet-4-5': { faults: ['529'] } },
    });
    const gateway = await harness.start({ routes: ROUTE });
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.headers.get('x-should-retry')).toBe('false');
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/openai\/gpt-4\.1 answered 500/);
    expect(body.error.message).toMatch(/anthropic\/claude-sonnet-4-5: 529/);
  });

  it("the official SDKs' own retries add no upstream attempt", async () => {
    harness = await createHarness({
      models: { 'gpt-4.1': { faults: ['500'] }, 'claude-sonnet-4-5': { faults: ['529'] } },
    });
    const gateway = await harness.start({ routes: ROUTE });
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 2 });
    await expect(
      openai.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toBeInstanceOf(OpenAI.APIError);
    const afterOpenAI = harness.mock.log().length;
    expect(afterOpenAI).toBe(4);
    const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: GATEWAY_KEY, maxRetries: 2 });
    await expect(
      anthropic.messages.create({
        model: 'default',
        max_tokens: 50,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    ).rejects.toBeInstanceOf(Anthropic.APIError);
    expect(harness.mock.log().length - afterOpenAI).toBeLessThanOrEqual(4);
  });
});

describe('every target cooling for long', () => {
  it('answers 429 with retry-after at once, without an upstream attempt', async () => {
    harness = await createHarness({ models: { 'gpt-4.1': { faults: ['429 retry-after=40'] } } });
    const gateway = await harness.start({ routes: { default: ['openai/gpt-4.1'] } });
    const ask = () =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'hi' }] }),
      });
    const first = await ask();
    expect(first.status).toBe(429);
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThanOrEqual(39);
    const seen = harness.mock.log().length;
    const startedAt = Date.now();
    const second = await ask();
    expect(Date.now() - startedAt).toBeLessThan(2000);
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(38);
    expect(harness.mock.log().length).toBe(seen);
    const body = (await second.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/cooling after rate limits/);
  });
});
