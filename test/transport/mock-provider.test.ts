/**
 * The transport with the real codecs against the mock provider, one fault at a time, in
 * all three wire formats: what each fault becomes once it has crossed a real socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutlastError } from '../../src/errors/index.ts';
import { FAULT_HEADER, type MockProvider, startMockProvider } from '../../src/testing/index.ts';
import { createTransport, type Transport, type UpstreamCall } from '../../src/transport/index.ts';
import { anthropicCodec } from '../../src/wire/anthropic/index.ts';
import type { CanonicalRequest, StreamPart } from '../../src/wire/canonical/index.ts';
import type { ClientCodec } from '../../src/wire/codec.ts';
import { geminiCodec } from '../../src/wire/gemini/index.ts';
import { openaiCodec } from '../../src/wire/openai/index.ts';
import { attemptScope, cleanup, collect, rejection } from './support.ts';

let mock: MockProvider;
let transport: Transport;
beforeAll(async () => {
  mock = await startMockProvider({ seed: 3 });
  transport = createTransport();
});
afterAll(async () => {
  await cleanup();
  await transport.close();
  await mock.close();
});

const ask: CanonicalRequest = {
  model: 'mock-model',
  maxTokens: 40,
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Say something.' }] }],
};
const budgets = { connect: 2000, headers: 300, firstToken: 300, idle: 300, total: 5000 };

const formats: [string, ClientCodec, 'anthropic' | 'openai' | 'gemini'][] = [
  ['anthropic', anthropicCodec, 'anthropic'],
  ['openai', openaiCodec, 'openai'],
  ['gemini', geminiCodec, 'gemini'],
];

describe.each(formats)('%s format', (_name, codec, format) => {
  const upstream = (fault?: string, stream = true): UpstreamCall => ({
    target: {
      provider: format,
      model: 'mock-model',
      baseURL: mock.baseURLs[format],
      apiKey: 'test-key',
      codec,
      ...(fault ? { headers: { [FAULT_HEADER]: fault } } : {}),
    },
    request: codec.encodeRequest({ ...ask, stream }, { model: 'mock-model', stream }),
    scope: attemptScope(budgets),
  });
  const text = (parts: StreamPart[]) =>
    parts.map((p) => (p.type === 'block_delta' && p.delta.type === 'text' ? p.delta.text : '')).join('');
  const failure = async (fault: string) => {
    const stream = await transport.stream(upstream(fault));
    const parts: StreamPart[] = [];
    try {
      for await (const part of stream) parts.push(part);
    } catch (e) {
      return { error: e as OutlastError, parts, stream };
    }
    throw new Error(`"${fault}" ended without an error`);
  };

  it('streams a healthy answer to its stop, with the request id', async () => {
    const stream = await transport.stream(upstream());
    const parts = await collect(stream);
    expect(text(parts).length).toBeGreaterThan(0);
    expect(parts.at(-1)?.type).toBe('message_stop');
    expect(stream.requestId).toBeTruthy();
  });

  it('sends a non-streamed call and decodes it', async () => {
    const answer = await transport.send(upstream(undefined, false));
    expect(answer.response.content.length).toBeGreaterThan(0);
  });

  it.each([
    ['529', 'overloaded', 529],
    ['503', 'overloaded', 503],
    ['500', 'server', 500],
    ['502', 'server', 502],
    ['401', 'auth', 401],
    ['context_length', 'context_length', 400],
  ])('an HTTP %s is %s', async (fault, kind, status) => {
    const error = await rejection(transport.stream(upstream(fault)));
    expect(OutlastError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ kind, status, provider: format, model: 'mock-model' });
  });

  // Gemini's stop reason comes in its last frame: losing that frame is losing the stop reason.
  it.each(['cut_after_stop', 'cut_after_stop usage=false', ...(format === 'gemini' ? [] : ['no_terminal'])])(
    'a stream that loses only its terminal event after the stop reason (%s) ends whole, not cut',
    async (fault) => {
      const healthy = await collect(await transport.stream(upstream()));
      const parts = await collect(await transport.stream(upstream(fault)));
      expect(text(parts)).toBe(text(healthy));
      expect(parts.at(-1)).toEqual({ type: 'message_stop' });
      expect(parts.filter((p) => p.type === 'message_delta').at(-1)).toMatchObject({
        stopReason: 'end_turn',
      });
      const opened = parts.filter((p) => p.type === 'block_start').length;
      expect(parts.filter((p) => p.type === 'block_stop').length).toBe(opened);
    },
  );

  it('a stream cut after its last token but before its stop reason is still cut', async () => {
    const { error, parts } = await failure('cut_before_stop');
    expect(error).toMatchObject({ kind: 'stream_interrupted' });
    expect(parts.some((p) => p.type === 'message_stop')).toBe(false);
  });

  it('a 429 carries its retry-after-ms', async () => {
    const error = await rejection(transport.stream(upstream('429 retry-after-ms=1500')));
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 1500 });
  });

  it('a 500 with should-retry=false is not retryable', async () => {
    const error = await rejection(transport.stream(upstream('500 should-retry=false')));
    expect(error).toMatchObject({ kind: 'server', retryable: false });
  });

  it('a reset is a network error', async () => {
    expect(await rejection(transport.stream(upstream('reset')))).toMatchObject({ kind: 'network' });
  });

  it('a hang is a headers timeout', async () => {
    expect(await rejection(transport.stream(upstream('hang')))).toMatchObject({
      kind: 'timeout',
      phase: 'headers',
    });
  });

  it('silence after the headers is a first-token timeout', async () => {
    const { error } = await failure('silence');
    expect(error).toMatchObject({ kind: 'timeout', phase: 'first_token', limitMs: 300 });
  });

  it('a stall mid-answer is an idle timeout', async () => {
    const { error, parts } = await failure('stall after=3');
    expect(text(parts).length).toBeGreaterThan(0);
    expect(error).toMatchObject({ kind: 'timeout', phase: 'idle', limitMs: 300 });
  });

  it('a cut is stream_interrupted', async () => {
    const { error, parts } = await failure('cut after=3');
    expect(text(parts).length).toBeGreaterThan(0);
    expect(error).toMatchObject({ kind: 'stream_interrupted', provider: format });
  });

  it('an in-band error event is thrown as its kind', async () => {
    const { error } = await failure('error_event at=2 error=rate_limited');
    expect(error).toMatchObject({ kind: 'rate_limited', provider: format, model: 'mock-model' });
  });

  it('a malformed event is skipped and counted; the answer is whole', async () => {
    const healthy = text(await collect(await transport.stream(upstream())));
    const stream = await transport.stream(upstream('malformed at=3'));
    const parts = await collect(stream);
    expect(stream.malformedEvents).toBe(1);
    expect(text(parts)).toBe(healthy);
  });
});

describe('missing terminal event', () => {
  const noTerminal = (format: 'anthropic' | 'openai' | 'gemini', codec: ClientCodec): UpstreamCall => ({
    target: {
      provider: format,
      model: 'mock-model',
      baseURL: mock.baseURLs[format],
      codec,
      headers: { [FAULT_HEADER]: 'no_terminal' },
    },
    request: codec.encodeRequest({ ...ask, stream: true }, { model: 'mock-model', stream: true }),
    scope: attemptScope(budgets),
  });

  const whole: ['openai' | 'anthropic', ClientCodec, string][] = [
    ['openai', openaiCodec, 'no [DONE]'],
    ['anthropic', anthropicCodec, 'no message_stop'],
  ];
  it.each(whole)('%s with %s but its stop reason ends normally, at the body end', async (format, codec) => {
    const parts = await collect(await transport.stream(noTerminal(format, codec)));
    expect(parts.at(-1)?.type).toBe('message_stop');
  });

  it('gemini without its final chunk (no finish reason) is stream_interrupted, never a normal end', async () => {
    const error = await rejection(collect(await transport.stream(noTerminal('gemini', geminiCodec))));
    expect(error).toMatchObject({ kind: 'stream_interrupted', provider: 'gemini' });
  });
});
