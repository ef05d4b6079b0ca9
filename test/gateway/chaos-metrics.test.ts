/** Chaos injected into live traffic over the real transport, and what /metrics and /status then say. */
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const ask = { model: 'default', messages: [{ role: 'user' as const, content: 'hello' }] };
const metricsOf = async (url: string) => (await fetch(`${url}/metrics`)).text();

describe('gateway chaos and metrics', () => {
  it('cuts a stream mid-answer by chaos; the engine continues it and the client gets one whole answer', async () => {
    harness = await createHarness({ defaults: { firstTokenMs: 0, tokenMs: 1, answerTokens: 30 } });
    const gateway = await harness.start({
      routes: { default: ['openai/gpt-4.1', 'anthropic/claude-sonnet-4-5'] },
      chaos: [{ route: 'default', fault: 'stream_interrupted', rate: 1, afterParts: 5 }],
    });
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
    const stream = await client.chat.completions.create({ ...ask, stream: true });
    let text = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('stop');
    // The same answer as an uninterrupted call gives (the mock answers a prompt deterministically).
    const plain = await harness.start({ routes: { default: ['openai/gpt-4.1'] } });
    const reference = await new OpenAI({
      baseURL: `${plain.url}/v1`,
      apiKey: GATEWAY_KEY,
      maxRetries: 0,
    }).chat.completions.create(ask);
    expect(text).toBe(reference.choices[0]?.message.content);
    expect(await metricsOf(gateway.url)).toMatch(
      /outlast_stream_interruptions_total\{[^}]*action="continue"\} 1/,
    );
  });

  it('rate-limits a share of the route by chaos; calls fall back and the metrics count it', async () => {
    harness = await createHarness({ defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 5 } });
    const gateway = await harness.start({
      routes: { default: ['openai/gpt-4.1', 'anthropic/claude-sonnet-4-5'] },
      retry: { attempts: 2, baseMs: 10, capMs: 40, maxHintMs: 100 },
      chaos: [
        { route: 'default', fault: 'rate_limited', rate: 1, retryAfterMs: 60_000, target: 'openai/gpt-4.1' },
      ],
    });
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
    for (let i = 0; i < 3; i++) {
      const { response } = await client.chat.completions.create(ask).withResponse();
      expect(response.headers.get('x-outlast-model')).toBe('anthropic/claude-sonnet-4-5');
    }
    // The injected 429s never reached the mock: only the fallback did.
    expect(harness.mock.log().every((e) => e.model === 'claude-sonnet-4-5')).toBe(true);
    const metrics = await metricsOf(gateway.url);
    expect(metrics).toMatch(
      /outlast_fallbacks_total\{provider="openai",model="gpt-4\.1",to_provider="anthropic",to_model="claude-sonnet-4-5",reason="rate_limited"\} 1/,
    );
    expect(metrics).toMatch(
      /outlast_calls_total\{route="default",key="sha256:[0-9a-f]{8}",outcome="success",error_kind=""\} 3/,
    );
    expect(metrics).toMatch(
      /outlast_time_to_first_token_seconds_count\{provider="anthropic",model="claude-sonnet-4-5"\} 3/,
    );
    const status = (await (await fetch(`${gateway.url}/status`)).json()) as {
      targets: Array<{ key: string; cooldownUntil?: number }>;
    };
    expect(status.targets.find((t) => t.key === 'openai/gpt-4.1')?.cooldownUntil).toBeGreaterThan(Date.now());
  });

  it('shows an opened breaker in /metrics and /status', async () => {
    harness = await createHarness({
      defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 5 },
      models: { 'gpt-4.1': { faults: ['500'] } },
    });
    const gateway = await harness.start({
      routes: { default: ['openai/gpt-4.1', 'anthropic/claude-sonnet-4-5'] },
      breaker: { consecutiveFailures: 2, minimumSpanMs: 0, cooldownMs: 30_000 },
    });
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
    await client.chat.completions.create(ask);
    const metrics = await metricsOf(gateway.url);
    expect(metrics).toMatch(/outlast_breaker_state\{provider="openai",model="gpt-4\.1"\} 2/);
    expect(metrics).toMatch(
      /outlast_attempts_total\{provider="openai",model="gpt-4\.1",outcome="error",error_kind="server"\} 2/,
    );
    expect(metrics).toMatch(/outlast_retries_total\{provider="openai",model="gpt-4\.1",source="backoff"\} 1/);
    const status = (await (await fetch(`${gateway.url}/status`)).json()) as {
      targets: Array<{ key: string; breaker: string; recentFailures: unknown[] }>;
    };
    const primary = status.targets.find((t) => t.key === 'openai/gpt-4.1');
    expect(primary?.breaker).toBe('open');
    expect(primary?.recentFailures.length).toBeGreaterThan(0);
  });
});
