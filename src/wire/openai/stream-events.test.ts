import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../canonical/index.ts';
import { readFixture, sseData } from './fixtures.ts';
import { openaiCodec } from './index.ts';
import { createOpenaiStreamEncoder } from './stream-encoder.ts';
import { createOpenaiEventEncoder } from './stream-events.ts';

function decodeAll(name: string): StreamPart[] {
  const decoder = openaiCodec.createStreamDecoder();
  const parts: StreamPart[] = [];
  for (const data of sseData(readFixture(name))) parts.push(...decoder.push({ data }));
  parts.push(...decoder.end());
  return parts;
}

describe('openai stream events: the objects the SSE frames', () => {
  it.each([
    ['stream.text_with_usage.sse', true],
    ['stream.parallel_tool_calls.sse', false],
    ['stream.reasoning_content.sse', true],
    ['stream.text_then_tool_call.sse', true],
  ] as const)(
    '%s: the SSE (templated token frames included) is the chunk objects framed',
    (name, includeUsage) => {
      const parts = decodeAll(name);
      const options = { model: 'gpt-x "quoted"', includeUsage, created: 1_700_000_000 };
      const sse = createOpenaiStreamEncoder(options);
      const events = createOpenaiEventEncoder(options);
      const bytes = parts.map((p) => sse.encode(p)).join('') + sse.end();
      const framed = parts.flatMap((p) => events.push(p)).map((c) => `data: ${JSON.stringify(c)}\n\n`);
      expect(bytes).toBe(`${framed.join('')}data: [DONE]\n\n`);
    },
  );

  it('streams thinking as reasoning_content, as the gateway sends it', () => {
    const events = createOpenaiEventEncoder({ model: 'm', created: 1 });
    events.push({ type: 'message_start', id: 'chatcmpl-1', model: 'm' });
    events.push({ type: 'block_start', index: 0, block: { type: 'thinking' } });
    const [chunk] = events.push({
      type: 'block_delta',
      index: 0,
      delta: { type: 'thinking', thinking: 'hmm' },
    });
    expect(chunk?.choices[0]?.delta.reasoning_content).toBe('hmm');
  });
});
