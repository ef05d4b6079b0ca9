import { describe, expect, it } from 'vitest';
import { OutlastError } from '../../errors/index.ts';
import type { StreamPart } from '../canonical/index.ts';
import { fixtureNames, parseSse, readText } from './fixtures/load.ts';
import { createStreamDecoder } from './stream-decoder.ts';
import { createStreamEncoder, TRUNCATED_FINISH_MESSAGE } from './stream-encoder.ts';

function decodeAll(text: string): { parts: StreamPart[]; complete: boolean } {
  const decoder = createStreamDecoder();
  const parts = parseSse(text).flatMap((e) => decoder.push(e));
  const complete = decoder.complete;
  if (complete) parts.push(...decoder.end());
  return { parts, complete };
}

function encodeAll(parts: StreamPart[], model: string): string {
  const encoder = createStreamEncoder({ model });
  return parts.map((p) => encoder.encode(p)).join('') + encoder.end();
}

const frames = (text: string): unknown[] => parseSse(text).map((e) => JSON.parse(e.data));
const kindOf = (error: unknown) => (OutlastError.isInstance(error) ? error.kind : error);

// Fixtures whose frames are cut the way our encoder cuts them (one text delta per frame).
const FRAME_EXACT = [
  'stream.text.sse',
  'stream.function_calls.sse',
  'stream.thinking.sse',
  'stream.midstream_error.sse',
];

describe('gemini SSE round trip', () => {
  it.each(FRAME_EXACT)('%s: SSE → parts → SSE reproduces every frame', (name) => {
    const text = readText(name);
    const { parts } = decodeAll(text);
    expect(frames(encodeAll(parts, modelOf(text)))).toEqual(frames(text));
  });

  it.each(fixtureNames('stream.', '.sse'))('%s: re-encoded SSE decodes to the same parts', (name) => {
    const text = readText(name);
    const { parts } = decodeAll(text);
    const again = decodeAll(encodeAll(parts, modelOf(text)));
    // An id synthesised from frame bytes may differ; everything else must not.
    const strip = (ps: StreamPart[]) => ps.map((p) => (p.type === 'message_start' ? { ...p, id: '' } : p));
    expect(strip(again.parts)).toEqual(strip(parts));
  });
});

function modelOf(text: string): string {
  return /"modelVersion":"([^"]+)"/.exec(text)?.[1] ?? '';
}

describe('gemini stream decoder', () => {
  it('synthesises message and block events for the reference stream, terminal on finishReason', () => {
    const { parts, complete } = decodeAll(readText('stream.reference.sse'));
    expect(complete).toBe(true);
    expect(parts.map((p) => p.type)).toEqual([
      'message_start',
      'block_start',
      'block_delta',
      'block_delta',
      'block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(parts[0]).toMatchObject({ model: 'gemini-2.5-flash', usage: { inputTokens: 42 } });
    expect(parts[5]).toEqual({
      type: 'message_delta',
      stopReason: 'end_turn',
      usage: { inputTokens: 42, outputTokens: 12 },
    });
  });

  it('turns parallel calls into whole tool_use blocks with distinct ids and a tool_use stop', () => {
    const { parts } = decodeAll(readText('stream.function_calls.sse'));
    const starts = parts.flatMap((p) => (p.type === 'block_start' ? [p.block] : []));
    expect(starts.map((b) => b.type)).toEqual(['text', 'tool_use', 'tool_use']);
    const ids = starts.flatMap((b) => (b.type === 'tool_use' ? [b.id] : []));
    expect(new Set(ids).size).toBe(2);
    expect(parts).toContainEqual({
      type: 'block_delta',
      index: 2,
      delta: { type: 'tool_input', partialJson: '{"location":"Tokyo","unit":"celsius"}' },
    });
    expect(parts.find((p) => p.type === 'message_delta')).toMatchObject({ stopReason: 'tool_use' });
  });

  it('puts thoughts in a thinking block that ends with the signature of the part after it', () => {
    const { parts } = decodeAll(readText('stream.thinking.sse'));
    expect(
      parts.filter((p) => p.type === 'block_delta').map((p) => p.type === 'block_delta' && p.delta.type),
    ).toEqual(['thinking', 'thinking', 'signature', 'text', 'text']);
    expect(parts.at(-2)).toMatchObject({
      usage: { inputTokens: 216, cacheReadTokens: 1024, outputTokens: 161, reasoningTokens: 152 },
    });
  });

  it('yields an error part for an in-band error frame, classified from its status', () => {
    const { parts, complete } = decodeAll(readText('stream.midstream_error.sse'));
    const last = parts.at(-1);
    expect(complete).toBe(false);
    expect(last?.type === 'error' && [last.error.kind, last.error.providerType]).toEqual([
      'overloaded',
      'UNAVAILABLE',
    ]);
    const exhausted = createStreamDecoder().push({
      data: '{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}',
    });
    expect(exhausted[0]?.type === 'error' && exhausted[0].error.kind).toBe('rate_limited');
  });

  it('stops at MAX_TOKENS with max_tokens', () => {
    const { parts } = decodeAll(readText('stream.max_tokens.sse'));
    expect(parts.find((p) => p.type === 'message_delta')).toMatchObject({ stopReason: 'max_tokens' });
  });

  it('throws stream_interrupted from end() when no finishReason came, naming what arrived', () => {
    const decoder = createStreamDecoder();
    for (const e of parseSse(readText('stream.cut.sse'))) decoder.push(e);
    expect(decoder.complete).toBe(false);
    try {
      decoder.end();
      expect.unreachable();
    } catch (error) {
      expect(kindOf(error)).toBe('stream_interrupted');
      expect((error as Error).message).toContain('2 frame(s)');
    }
    expect(() => createStreamDecoder().end()).toThrow(/before any frame/);
  });

  it('throws invalid_response for a malformed frame and goes on after it', () => {
    const decoder = createStreamDecoder();
    const [first, second] = parseSse(readText('stream.text.sse'));
    decoder.push(first!);
    for (const data of ['{not json', '{"candidates":"no"}']) {
      try {
        decoder.push({ data });
        expect.unreachable();
      } catch (error) {
        expect(kindOf(error)).toBe('invalid_response');
      }
    }
    expect(decoder.push(second!)).toEqual([
      { type: 'block_delta', index: 0, delta: { type: 'text', text: ' with light rain in Paris.' } },
    ]);
  });
});

describe('gemini stream encoder', () => {
  const start: StreamPart[] = [
    { type: 'message_start', id: 'msg_1', model: 'claude', usage: { inputTokens: 5 } },
    { type: 'block_start', index: 0, block: { type: 'text' } },
    { type: 'block_delta', index: 0, delta: { type: 'text', text: 'Hi' } },
    { type: 'block_stop', index: 0 },
  ];

  it('ends a truncated answer with OTHER and a finishMessage, never STOP', () => {
    const encoder = createStreamEncoder({ model: 'gemini-2.5-flash' });
    const text = [...start, { type: 'message_stop', truncated: true } as const]
      .map((p) => encoder.encode(p))
      .join('');
    const last = frames(text).at(-1) as {
      candidates: Array<{ finishReason: string; finishMessage: string }>;
    };
    expect(last.candidates[0]).toMatchObject({
      finishReason: 'OTHER',
      finishMessage: TRUNCATED_FINISH_MESSAGE,
    });
  });

  it('writes data-only frames with no terminator, and a comment as keep-alive', () => {
    const encoder = createStreamEncoder({ model: 'g' });
    const text = [...start, { type: 'message_stop' } as const].map((p) => encoder.encode(p)).join('');
    expect(text).not.toContain('event:');
    expect(encoder.end()).toBe('');
    expect(encoder.keepAlive().startsWith(':')).toBe(true);
    expect(frames(text)).toHaveLength(2);
  });

  it('sends nothing after an error frame', () => {
    const encoder = createStreamEncoder({ model: 'g' });
    const error = new OutlastError({ kind: 'server', message: 'boom' });
    expect(encoder.encode({ type: 'error', error })).toContain('"INTERNAL"');
    expect(encoder.encode({ type: 'message_stop' })).toBe('');
  });
});
