/**
 * OpenTelemetry through the gateway, over the real mock, read back with the SDK's in-memory
 * exporter: the span tree of a call that fell back across formats (Anthropic → OpenAI) and
 * continued a stream cut mid-answer, under the caller's `traceparent`; and the GenAI client
 * metrics it recorded.
 */
import { metrics, trace } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.ts';
import { providersFor } from '../engine/support/harness.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

class TestReader extends MetricReader {
  protected onForceFlush() {
    return Promise.resolve();
  }
  protected onShutdown() {
    return Promise.resolve();
  }
}

const exporter = new InMemorySpanExporter();
const reader = new TestReader();
let harness: Harness;
beforeAll(() => {
  trace.setGlobalTracerProvider(
    new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
  );
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
});
afterAll(async () => {
  await harness?.close();
  trace.disable();
  metrics.disable();
});

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN = '00f067aa0ba902b7';

describe('telemetry', () => {
  it('gives a fallen-back, continued call one span with a child per attempt, under the caller’s trace', async () => {
    harness = await createHarness({
      defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 40 },
      models: {
        'claude-sonnet-4-5': { faults: ['500'] },
        'gpt-4.1': { faults: [{ fault: 'cut after=10', times: 1 }] },
      },
    });
    const gateway = await harness.start({
      routes: { default: ['anthropic/claude-sonnet-4-5', 'openai/gpt-4.1'] },
    });
    const client = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: GATEWAY_KEY,
      maxRetries: 0,
      defaultHeaders: { traceparent: `00-${TRACE_ID}-${PARENT_SPAN}-01` },
    });
    const answer = await client.chat.completions.create({
      model: 'default',
      messages: [{ role: 'user', content: 'tell me about timeouts' }],
    });
    expect(answer.choices[0]?.finish_reason).toBe('stop');
    await new Promise((r) => setTimeout(r, 20));

    const spans = exporter.getFinishedSpans();
    const root = spans.find((s) => s.name === 'chat default');
    expect(root).toBeDefined();
    expect(root!.spanContext().traceId).toBe(TRACE_ID);
    expect(root!.parentSpanContext?.spanId).toBe(PARENT_SPAN);
    expect(root!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'default',
      'gen_ai.response.model': 'gpt-4.1',
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': answer.usage?.prompt_tokens,
      'gen_ai.usage.output_tokens': answer.usage?.completion_tokens,
      'outlast.outcome': 'success',
      'outlast.fallbacks': 1,
      'outlast.continued': true,
    });
    expect(root!.attributes['error.type']).toBeUndefined();

    const children = spans
      .filter((s) => s.parentSpanContext?.spanId === root!.spanContext().spanId)
      .sort((a, b) => Number(a.attributes['outlast.attempt']) - Number(b.attributes['outlast.attempt']));
    expect(children.map((s) => s.spanContext().traceId)).toEqual(children.map(() => TRACE_ID));
    expect(
      children.map((s) => [
        s.name,
        s.attributes['gen_ai.provider.name'],
        s.attributes['outlast.attempt.outcome'],
        s.attributes['error.type'],
        s.attributes['http.response.status_code'],
        s.attributes['outlast.attempt.continuation'],
      ]),
    ).toEqual([
      ['chat claude-sonnet-4-5', 'anthropic', 'error', 'server', 500, false],
      ['chat claude-sonnet-4-5', 'anthropic', 'error', 'server', 500, false],
      ['chat gpt-4.1', 'openai', 'error', 'stream_interrupted', undefined, false],
      ['chat gpt-4.1', 'openai', 'success', undefined, undefined, true],
    ]);
    // The retry on the primary waited its backoff first; the attempt span says how long.
    const retry = root!.events.find((e) => e.name === 'outlast.retry');
    expect(children[1]!.attributes['outlast.attempt.wait_ms']).toBe(
      retry?.attributes?.['outlast.retry.wait_ms'],
    );
    expect(root!.events.map((e) => e.name)).toEqual(
      expect.arrayContaining(['outlast.retry', 'outlast.fallback', 'outlast.stream_interrupted']),
    );
    expect(root!.events.find((e) => e.name === 'outlast.fallback')?.attributes).toMatchObject({
      'outlast.fallback.from': 'anthropic/claude-sonnet-4-5',
      'outlast.fallback.to': 'openai/gpt-4.1',
      'outlast.fallback.reason': 'server',
    });
    expect(root!.events.find((e) => e.name === 'outlast.stream_interrupted')?.attributes).toMatchObject({
      'outlast.interruption.action': 'continue',
      'error.type': 'stream_interrupted',
    });

    const { resourceMetrics } = await reader.collect();
    const names = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name));
    expect(names).toEqual(
      expect.arrayContaining([
        'gen_ai.client.operation.duration',
        'gen_ai.client.token.usage',
        'gen_ai.client.operation.time_to_first_chunk',
      ]),
    );
  });

  it('traces library calls too, under the active span', async () => {
    exporter.reset();
    harness.mock.setScenario({
      defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 8 },
      models: { 'claude-sonnet-4-5': { faults: ['529'] } },
    });
    const client = createClient({
      providers: providersFor(harness.mock),
      routes: { default: ['anthropic/claude-sonnet-4-5', 'gemini/gemini-2.5-flash'] },
      retry: { attempts: 1 },
    });
    try {
      const message = await client.messages.create({
        model: 'default',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(message.model).toBe('gemini-2.5-flash');
    } finally {
      await client.close();
    }
    const spans = exporter.getFinishedSpans();
    const root = spans.find((s) => s.name === 'chat default');
    expect(root?.attributes).toMatchObject({
      'gen_ai.response.model': 'gemini-2.5-flash',
      'gen_ai.provider.name': 'gcp.gemini',
      'outlast.fallbacks': 1,
    });
    const children = spans.filter((s) => s.parentSpanContext?.spanId === root?.spanContext().spanId);
    expect(children.map((s) => [s.attributes['gen_ai.provider.name'], s.attributes['error.type']])).toEqual([
      ['anthropic', 'overloaded'],
      ['gcp.gemini', undefined],
    ]);
  });
});
