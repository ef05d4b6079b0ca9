import { describe, expect, it } from 'vitest';
import { OutlastError } from '../../errors/index.ts';
import type { StreamPart } from '../canonical/index.ts';
import type { StreamDecoder } from '../codec.ts';
import { comparable, parseSse, readFixture } from './fixtures.ts';
import { anthropicCodec } from './index.ts';
import { DELTA_FIELDS, DELTA_USAGE_FIELDS, MESSAGE_FIELDS, USAGE_FIELDS } from './sdk-fields.ts';

function decodeAll(
  text: string,
  decoder: StreamDecoder = anthropicCodec.createStreamDecoder(),
): StreamPart[] {
  return parseSse(text).flatMap((event) => decoder.push(event));
}

function encodeAll(parts: StreamPart[], model = 'claude-sonnet-4-5'): string {
  const encoder = anthropicCodec.createStreamEncoder({ model });
  return parts.map((part) => encoder.encode(part)).join('') + encoder.end();
}

function thrown(fn: () => unknown): OutlastError {
  try {
    fn();
  } catch (error) {
    if (OutlastError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an OutlastError');
}

const withoutPings = (text: string) => parseSse(text).filter((e) => e.event !== 'ping');

/** An object without the keys `defaults` sets to null when they are null. */
function withoutNulls(value: unknown, defaults: Readonly<Record<string, unknown>>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).filter(([key, field]) => !(key in defaults && field === null)),
  );
}

/**
 * Events without the nulls the encoder adds for the SDK's types (sdk-fields.ts): the fixtures,
 * written from the API reference, leave those fields out.
 */
function withoutSdkNulls(events: ReturnType<typeof comparable>): ReturnType<typeof comparable> {
  return events.map(({ event, data }) => {
    const d = data as Record<string, Record<string, unknown>>;
    if (d.type === ('message_start' as never) && d.message) {
      const message = withoutNulls(d.message, MESSAGE_FIELDS) as Record<string, unknown>;
      return {
        event,
        data: { ...d, message: { ...message, usage: withoutNulls(message.usage, USAGE_FIELDS) } },
      };
    }
    if (d.type === ('message_delta' as never))
      return {
        event,
        data: {
          ...d,
          delta: withoutNulls(d.delta, DELTA_FIELDS),
          usage: withoutNulls(d.usage, DELTA_USAGE_FIELDS),
        },
      };
    return { event, data };
  });
}
const textOf = (parts: StreamPart[]) =>
  parts.map((p) => (p.type === 'block_delta' && p.delta.type === 'text' ? p.delta.text : '')).join('');

describe('anthropic SSE round trip', () => {
  it.each([
    ['stream.text_and_tool_use.sse', 'claude-sonnet-4-5-20250929'],
    ['stream.thinking.sse', 'claude-sonnet-4-5-20250929'],
    ['stream.midstream_error.sse', 'claude-sonnet-4-5-20250929'],
    ['stream.parallel_tool_use.sse', 'claude-sonnet-4-5'],
    ['stream.max_tokens.sse', 'claude-sonnet-4-5'],
    ['stream.stop_sequence.sse', 'claude-sonnet-4-5'],
    ['stream.refusal_with_delta_usage.sse', 'claude-sonnet-4-5'],
  ])('%s: SSE → parts → SSE reproduces the events (pings aside)', (name, model) => {
    const text = readFixture(name);
    const again = encodeAll(decodeAll(text), model);
    expect(withoutSdkNulls(comparable(parseSse(again)))).toEqual(
      withoutSdkNulls(comparable(withoutPings(text))),
    );
  });
});

describe('anthropic stream decoder', () => {
  it('turns text and tool use into canonical parts, pings into nothing, and completes at message_stop', () => {
    const decoder = anthropicCodec.createStreamDecoder();
    const parts = decodeAll(readFixture('stream.text_and_tool_use.sse'), decoder);
    expect(decoder.complete).toBe(true);
    expect(parts[0]).toEqual({
      type: 'message_start',
      id: 'msg_01Aq9w938a90dw8q',
      model: 'claude-sonnet-4-5-20250929',
      usage: { inputTokens: 377, outputTokens: 1, cacheReadTokens: 120, cacheWriteTokens: 0 },
    });
    expect(parts).toContainEqual({
      type: 'block_start',
      index: 1,
      block: { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather' },
    });
    const json = parts
      .map((p) => (p.type === 'block_delta' && p.delta.type === 'tool_input' ? p.delta.partialJson : ''))
      .join('');
    expect(JSON.parse(json)).toEqual({ location: 'Paris' });
    expect(parts.at(-2)).toEqual({
      type: 'message_delta',
      stopReason: 'tool_use',
      stopSequence: null,
      usage: { outputTokens: 65 },
    });
    expect(parts.at(-1)).toEqual({ type: 'message_stop' });
    expect(decoder.end()).toEqual([]);
  });

  it('ignores whatever follows message_stop', () => {
    const decoder = anthropicCodec.createStreamDecoder();
    decodeAll(readFixture('stream.stop_sequence.sse'), decoder);
    expect(decoder.push({ event: 'message_stop', data: 'not json' })).toEqual([]);
    expect(decoder.end()).toEqual([]);
  });

  it('keeps thinking and its signature', () => {
    const parts = decodeAll(readFixture('stream.thinking.sse'));
    expect(parts).toContainEqual({ type: 'block_start', index: 0, block: { type: 'thinking' } });
    expect(parts).toContainEqual({
      type: 'block_delta',
      index: 0,
      delta: { type: 'signature', signature: 'RXhhbXBsZVNpZ25hdHVyZU5vdFJlYWw=' },
    });
  });

  it('classifies an in-band error event by its type', () => {
    const decoder = anthropicCodec.createStreamDecoder();
    const last = decodeAll(readFixture('stream.midstream_error.sse'), decoder).at(-1);
    expect(last?.type === 'error' && [last.error.kind, last.error.providerType]).toEqual([
      'overloaded',
      'overloaded_error',
    ]);
    expect(decoder.complete).toBe(false);
  });

  it('throws stream_interrupted, saying what arrived, when the body ends mid-answer', () => {
    const decoder = anthropicCodec.createStreamDecoder();
    decodeAll(readFixture('stream.cut.sse'), decoder);
    const error = thrown(() => decoder.end());
    expect(error.kind).toBe('stream_interrupted');
    expect(error.message).toBe(
      'anthropic stream ended before message_stop (received message_start, 1 content block(s), 24 character(s) of text, block 0 still open)',
    );
    expect(thrown(() => anthropicCodec.createStreamDecoder().end()).message).toMatch(/no message_start/);
  });

  it('closes a whole answer whose message_stop never came', () => {
    const decoder = anthropicCodec.createStreamDecoder();
    const parts = decodeAll(readFixture('stream.no_message_stop.sse'), decoder);
    expect(parts.at(-1)).toMatchObject({ type: 'message_delta', stopReason: 'end_turn' });
    expect(decoder.complete).toBe(false);
    expect(decoder.end()).toEqual([{ type: 'message_stop' }]);
    expect(decoder.complete).toBe(true);
  });

  it('throws invalid_response on a malformed event and reads on after it', () => {
    const decoder = anthropicCodec.createStreamDecoder();
    const parts: StreamPart[] = [];
    let skipped = 0;
    for (const event of parseSse(readFixture('stream.malformed_event.sse'))) {
      try {
        parts.push(...decoder.push(event));
      } catch (error) {
        expect(OutlastError.isInstance(error) && error.kind).toBe('invalid_response');
        skipped++;
      }
    }
    expect(skipped).toBe(1);
    expect(textOf(parts)).toBe('Hello world');
    expect(decoder.complete).toBe(true);
  });

  it.each([
    [
      {
        event: 'content_block_delta',
        data: '{"type":"content_block_delta","delta":{"type":"text_delta","text":"x"}}',
      },
    ],
    [{ event: 'message_start', data: '{"type":"message_start"}' }],
    [{ event: 'content_block_delta', data: '[1,2]' }],
  ])('an event of the wrong shape is invalid_response: %j', (event) => {
    expect(thrown(() => anthropicCodec.createStreamDecoder().push(event)).kind).toBe('invalid_response');
  });

  it('skips server-tool blocks and citation deltas, renumbering the blocks after them', () => {
    const parts = decodeAll(readFixture('stream.server_tool_skipped.sse'));
    expect(
      parts.filter((p) => p.type === 'block_start').map((p) => p.type === 'block_start' && p.index),
    ).toEqual([0, 1]);
    expect(parts.filter((p) => p.type === 'block_stop')).toHaveLength(2);
    expect(textOf(parts)).toBe('Let me search.Found it.');
  });
});

describe('anthropic stream encoder', () => {
  it('ends a salvaged (truncated) answer with max_tokens after closing its open block', () => {
    const events = comparable(
      parseSse(
        encodeAll([
          { type: 'message_start', id: 'msg_1', model: 'x', usage: { inputTokens: 5 } },
          { type: 'block_start', index: 0, block: { type: 'text' } },
          { type: 'block_delta', index: 0, delta: { type: 'text', text: 'Half' } },
          { type: 'message_delta', usage: { outputTokens: 2 } },
          { type: 'message_stop', truncated: true },
        ]),
      ),
    );
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[4]?.data).toEqual({
      type: 'message_delta',
      delta: { ...DELTA_FIELDS, stop_reason: 'max_tokens', stop_sequence: null },
      usage: { ...DELTA_USAGE_FIELDS, output_tokens: 2 },
    });
  });

  it('opens the message before a block that came first, and always sends output_tokens', () => {
    const events = comparable(
      parseSse(
        encodeAll([
          { type: 'block_start', index: 0, block: { type: 'text' } },
          { type: 'block_stop', index: 0 },
          { type: 'message_stop' },
        ]),
      ),
    );
    expect(events[0]?.event).toBe('message_start');
    expect(events[0]?.data).toMatchObject({ message: { usage: { input_tokens: 0, output_tokens: 0 } } });
    expect(events.at(-2)?.data).toMatchObject({
      delta: { stop_reason: 'end_turn' },
      usage: { output_tokens: 0 },
    });
  });

  it('sends one message_delta with the stop reason even when several arrive', () => {
    const events = comparable(
      parseSse(
        encodeAll([
          { type: 'message_start', id: 'msg_1', model: 'x' },
          { type: 'message_delta', stopReason: 'tool_use', usage: { outputTokens: 3 } },
          { type: 'message_delta', usage: { outputTokens: 4 } },
          { type: 'message_stop' },
        ]),
      ),
    );
    expect(events.filter((e) => e.event === 'message_delta').map((e) => e.data)).toEqual([
      {
        type: 'message_delta',
        delta: { ...DELTA_FIELDS, stop_reason: 'tool_use', stop_sequence: null },
        usage: { ...DELTA_USAGE_FIELDS, output_tokens: 4 },
      },
    ]);
  });

  it('stops after an error and keeps alive with a ping event', () => {
    const encoder = anthropicCodec.createStreamEncoder({ model: 'm' });
    encoder.encode({ type: 'message_start', id: 'msg_1', model: 'm' });
    const error = new OutlastError({ kind: 'rate_limited', message: 'slow' });
    expect(encoder.encode({ type: 'error', error })).toMatch(/^event: error\n/);
    expect(encoder.encode({ type: 'message_stop' })).toBe('');
    expect(encoder.end()).toBe('');
    expect(encoder.keepAlive()).toBe('event: ping\ndata: {"type":"ping"}\n\n');
  });
});
