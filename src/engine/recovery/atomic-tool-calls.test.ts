import { describe, expect, it } from 'vitest';
import { args, setup, start, stop, text, textStart, toolStart } from './stitcher-fixtures.ts';

describe('stitcher: atomic tool calls', () => {
  it('streams text but holds a tool call until its block ends, then sends its arguments in one delta', () => {
    const { s, out, assembler } = setup();
    s.beginPiece();
    s.push(start('m1'));
    s.push(textStart(0));
    s.push(text(0, 'Let me look.'));
    s.push(stop(0));
    s.push(toolStart(1));
    for (const piece of ['{"city"', ':"Par', 'is"}']) s.push(args(1, piece));
    expect(out.at(-1)).toEqual(stop(0));
    s.push(stop(1));
    expect(out.slice(-3)).toEqual([toolStart(1), args(1, '{"city":"Paris"}'), stop(1)]);
    s.push({ type: 'message_delta', stopReason: 'tool_use' });
    s.push({ type: 'message_stop' });
    expect(assembler.result().content).toEqual([
      { type: 'text', text: 'Let me look.' },
      { type: 'tool_use', id: 't1', name: 'lookup', input: { city: 'Paris' } },
    ]);
  });

  it('a cut inside a tool call drops it and continues from the text before it; the continuation brings the whole call', () => {
    const { s, out, assembler } = setup();
    s.beginPiece();
    s.push(start('m1', { inputTokens: 50 }));
    s.push(textStart(0));
    s.push(text(0, 'Let me look that up'));
    s.push(stop(0));
    s.push(toolStart(1));
    s.push(args(1, '{"city":"Pa'));
    const before = out.length;
    s.interruptPiece();
    expect(out.length).toBe(before);
    expect(s.partialContent()).toEqual([{ type: 'text', text: 'Let me look that up' }]);
    expect(s.wastedOutputTokens).toBe(3);
    s.beginPiece({ kind: 'prefill', trimmed: '' });
    s.push(start('m2', { inputTokens: 60 }));
    s.push(toolStart(0, 't2'));
    s.push(args(0, '{"city":"Paris"}'));
    s.push(stop(0));
    s.push({ type: 'message_delta', stopReason: 'tool_use', usage: { outputTokens: 12 } });
    s.push({ type: 'message_stop' });
    const answer = assembler.result();
    expect(answer.content).toEqual([
      { type: 'text', text: 'Let me look that up' },
      { type: 'tool_use', id: 't2', name: 'lookup', input: { city: 'Paris' } },
    ]);
    expect(answer.stopReason).toBe('tool_use');
    expect(out.filter((p) => p.type === 'block_start').map((p) => (p as { index: number }).index)).toEqual([
      0, 1,
    ]);
  });

  it('with atomic tool calls off, arguments stream and a cut inside a call cannot be continued', () => {
    const { s, out } = setup({ atomicToolCalls: false });
    s.beginPiece();
    s.push(start('m1'));
    s.push(textStart(0));
    s.push(text(0, 'Looking'));
    s.push(stop(0));
    s.push(toolStart(1));
    s.push(args(1, '{"a"'));
    expect(out.slice(-2)).toEqual([toolStart(1), args(1, '{"a"')]);
    s.interruptPiece();
    expect(s.partialContent()).toBeUndefined();
  });

  it('a forwarded tool call makes the answer not continuable, as before', () => {
    const { s } = setup();
    s.beginPiece();
    s.push(start('m1'));
    s.push(toolStart(0));
    s.push(args(0, '{}'));
    s.push(stop(0));
    s.interruptPiece();
    expect(s.partialContent()).toBeUndefined();
  });
});
