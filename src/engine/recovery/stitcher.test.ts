import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../../wire/canonical/index.ts';
import { createStitcher, overlapLength } from './stitcher.ts';

const text = (index: number, t: string): StreamPart => ({
  type: 'block_delta',
  index,
  delta: { type: 'text', text: t },
});

describe('stitcher', () => {
  it('finds a real overlap and ignores a one-letter coincidence', () => {
    expect(overlapLength('the quick brown fox jumps', 'brown fox jumps over')).toBe(15);
    expect(overlapLength('it was the', 'e end')).toBe(0);
    expect(overlapLength('short', 'short and more')).toBe(5);
  });

  it('keeps the broken text block open across a continuation, renumbers later blocks, and sums usage', () => {
    const out: StreamPart[] = [];
    const s = createStitcher((p) => out.push(p));
    s.beginPiece();
    s.push({ type: 'message_start', id: 'm1', model: 'a', usage: { inputTokens: 100, outputTokens: 1 } });
    s.push({ type: 'block_start', index: 0, block: { type: 'text' } });
    s.push(text(0, 'Hello there, '));
    s.interruptPiece();
    expect(s.partialContent()).toEqual([{ type: 'text', text: 'Hello there, ' }]);
    s.beginPiece({ dropOverlap: true });
    s.push({ type: 'message_start', id: 'm2', model: 'b', usage: { inputTokens: 120 } });
    s.push({ type: 'block_start', index: 0, block: { type: 'text' } });
    s.push(text(0, 'Hello there, general Kenobi.'));
    s.push({ type: 'block_stop', index: 0 });
    s.push({ type: 'block_start', index: 1, block: { type: 'tool_use', id: 't1', name: 'f' } });
    s.push({ type: 'block_delta', index: 1, delta: { type: 'tool_input', partialJson: '{}' } });
    s.push({ type: 'block_stop', index: 1 });
    s.push({ type: 'message_delta', stopReason: 'tool_use', usage: { outputTokens: 9 } });
    s.push({ type: 'message_stop' });
    expect(out.filter((p) => p.type === 'message_start')).toHaveLength(1);
    expect(
      out
        .flatMap((p) => (p.type === 'block_delta' && p.delta.type === 'text' ? [p.delta.text] : []))
        .join(''),
    ).toBe('Hello there, general Kenobi.');
    expect(out.filter((p) => p.type === 'block_start').map((p) => (p as { index: number }).index)).toEqual([
      0, 1,
    ]);
    expect(out.at(-2)).toEqual({
      type: 'message_delta',
      stopReason: 'tool_use',
      usage: { inputTokens: 220, outputTokens: 4 + 9 },
    });
    expect(s.wastedOutputTokens).toBe(4);
  });

  it('salvage closes the open block and marks the end truncated', () => {
    const out: StreamPart[] = [];
    const s = createStitcher((p) => out.push(p));
    s.beginPiece();
    s.push({ type: 'message_start', id: 'm1', model: 'a' });
    s.push({ type: 'block_start', index: 0, block: { type: 'text' } });
    s.push(text(0, 'partial'));
    s.interruptPiece();
    s.salvage();
    expect(out.slice(-3)).toMatchObject([
      { type: 'block_stop', index: 0 },
      { type: 'message_delta', stopReason: 'max_tokens' },
      { type: 'message_stop', truncated: true },
    ]);
  });

  it('an answer with a tool call under way cannot be continued', () => {
    const s = createStitcher(() => {});
    s.beginPiece();
    s.push({ type: 'message_start', id: 'm1', model: 'a' });
    s.push({ type: 'block_start', index: 0, block: { type: 'tool_use', id: 't', name: 'f' } });
    s.interruptPiece();
    expect(s.partialContent()).toBeUndefined();
  });

  it('a finished thinking block before the text does not stop a continuation; an open one does', () => {
    const s = createStitcher(() => {});
    s.beginPiece();
    s.push({ type: 'message_start', id: 'm1', model: 'a' });
    s.push({ type: 'block_start', index: 0, block: { type: 'thinking' } });
    s.push({ type: 'block_delta', index: 0, delta: { type: 'thinking', thinking: 'hmm' } });
    expect(s.partialContent()).toBeUndefined();
    s.push({ type: 'block_stop', index: 0 });
    s.push({ type: 'block_start', index: 1, block: { type: 'text' } });
    s.push(text(1, 'The answer is'));
    s.interruptPiece();
    expect(s.partialContent()).toEqual([{ type: 'text', text: 'The answer is' }]);
  });
});
