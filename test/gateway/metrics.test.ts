/** What /metrics tells an operator, over the real mock: tokens and cost per route, target and key, and the runtime's own series. */
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/gateway/index.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const ask = { model: 'default', messages: [{ role: 'user' as const, content: 'hello there' }] };

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.indexOf('}'));
    const have = inside.split(',');
    if (want.every((w) => have.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('gateway metrics', () => {
  it('counts tokens and estimated cost by route, answering target and key name, streamed or not', async () => {
    harness = await createHarness({ defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 12 } });
    const gateway = await harness.start({
      routes: { default: ['anthropic/claude-sonnet-4-5', 'openai/gpt-4.1'] },
      keys: [{ name: 'team-a', hash: hashKey(GATEWAY_KEY) }],
    });
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
    const plain = await client.chat.completions.create(ask);
    const stream = await client.chat.completions.create({
      ...ask,
      stream: true,
      stream_options: { include_usage: true },
    });
    let streamed: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) streamed = chunk.usage ?? streamed;
    const input = (plain.usage?.prompt_tokens ?? 0) + (streamed?.prompt_tokens ?? 0);
    const output = (plain.usage?.completion_tokens ?? 0) + (streamed?.completion_tokens ?? 0);
    expect(output).toBeGreaterThan(0);

    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    const target = { route: 'default', provider: 'anthropic', model: 'claude-sonnet-4-5', key: 'team-a' };
    expect(sample(text, 'outlast_tokens_total', { ...target, type: 'input' })).toBe(input);
    expect(sample(text, 'outlast_tokens_total', { ...target, type: 'output' })).toBe(output);
    // claude-sonnet-4-5 lists at $3 in / $15 out per million tokens.
    expect(sample(text, 'outlast_cost_usd_total', { ...target, kind: 'answer' })).toBeCloseTo(
      (input * 3 + output * 15) / 1e6,
      12,
    );
    expect(sample(text, 'outlast_calls_total', { route: 'default', key: 'team-a', outcome: 'success' })).toBe(
      2,
    );
    // The runtime's own series, as every Node service exports them.
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
  });

  it('counts the overlap a continuation repeated as wasted output, and its cost', async () => {
    harness = await createHarness({
      defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 40 },
      // OpenAI takes no prefill: the engine asks it to continue, and its answer repeats the tail.
      models: { 'gpt-4.1': { faults: [{ fault: 'cut after=12', times: 1 }] } },
    });
    const gateway = await harness.start({
      routes: { default: ['openai/gpt-4.1'] },
      keys: [{ name: 'team-a', hash: hashKey(GATEWAY_KEY) }],
    });
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
    const answer = await client.chat.completions.create(ask);
    expect(answer.choices[0]?.finish_reason).toBe('stop');
    expect(harness.mock.log().map((e) => e.continuation ?? 'first')).toEqual(['first', 'continue']);
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    const target = { route: 'default', provider: 'openai', model: 'gpt-4.1', key: 'team-a' };
    const wasted = sample(text, 'outlast_tokens_total', { ...target, type: 'wasted' });
    expect(wasted).toBeGreaterThan(0);
    // gpt-4.1 lists at $8 per million output tokens.
    expect(sample(text, 'outlast_cost_usd_total', { ...target, kind: 'wasted' })).toBeCloseTo(
      ((wasted ?? 0) * 8) / 1e6,
      12,
    );
  });
});
