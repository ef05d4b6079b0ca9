import { describe, expect, it } from 'vitest';
import { createAssembler } from '../../src/engine/assemble.ts';
import { isContentPart } from '../../src/wire/canonical/is-content-part.ts';
import { responseToParts } from '../../src/wire/canonical/response-parts.ts';
import type { CanonicalResponse } from '../../src/wire/canonical/types.ts';

const response: CanonicalResponse = {
  id: 'msg_1',
  model: 'm',
  content: [
    { type: 'thinking', thinking: 'Let me see.', signature: 'sig' },
    { type: 'redacted_thinking', data: 'opaque' },
    { type: 'text', text: 'Hello.' },
    { type: 'text', text: '' },
    { type: 'tool_use', id: 't1', name: 'lookup', input: { q: 'x', n: [1, 2] } },
  ],
  stopReason: 'tool_use',
  stopSequence: null,
  usage: { inputTokens: 10, outputTokens: 20, cacheReadTokens: 3 },
};

describe('responseToParts', () => {
  it('gives the parts whose assembly is the response, minus what a stream cannot carry', () => {
    const assembler = createAssembler();
    const parts = responseToParts({
      ...response,
      content: [...response.content, { type: 'image', source: { type: 'url', url: 'https://x/y.png' } }],
      passthrough: { format: 'anthropic', fields: { container: null } },
    });
    for (const part of parts) assembler.push(part);
    expect(assembler.result()).toEqual(response);
    expect(parts[0]).toEqual({ type: 'message_start', id: 'msg_1', model: 'm' });
    expect(parts.at(-1)).toEqual({ type: 'message_stop' });
    // Block indexes run 0..n without a gap where a block was left out.
    expect(parts.filter((p) => p.type === 'block_start').map((p) => p.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it('an empty answer has no content part (the engine commits at its message_stop)', () => {
    const parts = responseToParts({ ...response, content: [{ type: 'text', text: '' }] });
    expect(parts.some(isContentPart)).toBe(false);
    expect(parts.map((p) => p.type)).toEqual([
      'message_start',
      'block_start',
      'block_stop',
      'message_delta',
      'message_stop',
    ]);
  });
});
