import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../canonical/index.ts';
import { createOpenaiStreamEncoder } from '../openai/index.ts';
import { createAnthropicStreamDecoder } from './stream-decoder.ts';
import { createAnthropicStreamEncoder } from './stream-encoder.ts';

const ev = (data: object) => ({ event: String((data as { type: string }).type), data: JSON.stringify(data) });
const citation = (index: number) =>
  ev({
    type: 'content_block_delta',
    index,
    delta: { type: 'citations_delta', citation: { cited_text: 'x' } },
  });

describe('anthropic events outlast does not model', () => {
  it('become passthrough parts on the canonical block, renumbered past skipped blocks, or dropped with them', () => {
    const decoder = createAnthropicStreamDecoder();
    const parts: StreamPart[] = [];
    for (const e of [
      ev({ type: 'message_start', message: { id: 'msg_1', model: 'c', usage: { input_tokens: 1 } } }),
      ev({
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'server_tool_use', id: 's', name: 'web_search' },
      }),
      citation(0),
      ev({ type: 'content_block_stop', index: 0 }),
      ev({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }),
      citation(1),
      ev({ type: 'ping' }),
      ev({ type: 'future_event', detail: 1 }),
    ])
      parts.push(...decoder.push(e));
    const relayed = parts.filter((p) => p.type === 'passthrough');
    expect(relayed).toEqual([
      {
        type: 'passthrough',
        format: 'anthropic',
        event: 'content_block_delta',
        data: citation(1).data,
        index: 0,
      },
      {
        type: 'passthrough',
        format: 'anthropic',
        event: 'future_event',
        data: '{"type":"future_event","detail":1}',
      },
    ]);
  });

  it('are written unchanged with the client’s index, and not at all in another format', () => {
    const anthropic = createAnthropicStreamEncoder({ model: 'c' });
    const openai = createOpenaiStreamEncoder({ model: 'c' });
    const parts: StreamPart[] = [
      { type: 'message_start', id: 'msg_1', model: 'c' },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      {
        type: 'passthrough',
        format: 'anthropic',
        event: 'content_block_delta',
        data: citation(0).data,
        index: 0,
      },
      {
        type: 'passthrough',
        format: 'anthropic',
        event: 'content_block_delta',
        data: citation(3).data,
        index: 0,
      },
      {
        type: 'passthrough',
        format: 'anthropic',
        event: 'content_block_delta',
        data: citation(0).data,
        index: 5,
      },
      { type: 'passthrough', format: 'openai', data: '{"x":1}' },
    ];
    const a = parts.map((p) => anthropic.encode(p));
    expect(a[2]).toBe(`event: content_block_delta\ndata: ${citation(0).data}\n\n`);
    // Named another index upstream: the client's block is 0.
    expect(a[3]).toBe(`event: content_block_delta\ndata: ${citation(0).data}\n\n`);
    // A block the client does not have open, another format's event: nothing.
    expect(a[4]).toBe('');
    expect(a[5]).toBe('');
    expect(parts.map((p) => openai.encode(p)).join('')).not.toContain('citation');
  });
});
