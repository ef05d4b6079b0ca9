import { describe, expect, it } from 'vitest';
import { OutlastError } from '../../errors/index.ts';
import type { StreamPart } from '../canonical/index.ts';
import { comparable, parseSse, readFixture } from './fixtures.ts';
import { anthropicCodec } from './index.ts';

function decodeAll(text: string): StreamPart[] {
  const decoder = anthropicCodec.createStreamDecoder();
  return parseSse(text).flatMap((event) => decoder.push(event));
}

function encodeAll(parts: StreamPart[], model: string): string {
  const encoder = anthropicCodec.createStreamEncoder({ model });
  return parts.map((part) => encoder.encode(part)).join('') + encoder.end();
}

const withoutPings = (text: string) => parseSse(text).filter((e) => e.event !== 'ping');

describe('anthropic SSE round trip', () => {
  it.each(['stream.text_and_tool_use.sse', 'stream.thinking.sse', 'stream.midstream_error.sse'])(
    '%s: SSE → parts → SSE reproduces the events (pings aside)',
    (name) => {
      const text = readFixture(name);
      const again = encodeAll(decodeAll(text), 'claude-sonnet-4-5-20250929');
      expect(comparable(parseSse(again))).toEqual(comparable(withoutPings(text)));
    },
  );

  it('yields an overloaded error part for an in-band overloaded_error', () => {
    const parts = decodeAll(readFixture('stream.midstream_error.sse'));
    const last = parts.at(-1);
    expect(last?.type).toBe('error');
    if (last?.type !== 'error') return;
    expect(OutlastError.isInstance(last.error)).toBe(true);
    expect(last.error.kind).toBe('overloaded');
  });
});
