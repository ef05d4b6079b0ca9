import { describe, expect, it } from 'vitest';
import { OutlastError } from '../../errors/index.ts';
import { CONTINUATION_UNALIGNED } from './stitcher.ts';
import { args, firstPieceCut, setup, start, stop, text, textStart, toolStart } from './stitcher-fixtures.ts';

describe('stitcher: the commit gate', () => {
  it('holds message_start and an empty block until the first text, then forwards them in order and reports the commit once', () => {
    const { s, out, commits } = setup();
    s.beginPiece();
    s.push(start('m1'));
    s.push(textStart(0));
    s.push(text(0, ''));
    expect(out).toEqual([]);
    expect(s.committed).toBe(false);
    expect(s.pieceForwarded).toBe(false);
    s.push(text(0, 'Hi'));
    expect(out.map((p) => p.type)).toEqual(['message_start', 'block_start', 'block_delta']);
    expect(s.committed).toBe(true);
    expect(s.pieceForwarded).toBe(true);
    s.push(text(0, ' there'));
    expect(commits()).toBe(1);
  });

  it('a piece abandoned before the commit leaves no trace: the next attempt starts the stream afresh', () => {
    const { s, out, assembler } = setup();
    s.beginPiece();
    s.push(start('m1'));
    s.push(textStart(0));
    s.abandonPiece();
    s.beginPiece();
    s.push(start('m2', { inputTokens: 7 }));
    s.push(textStart(0));
    s.push(text(0, 'Fresh.'));
    s.push(stop(0));
    s.push({ type: 'message_delta', stopReason: 'end_turn', usage: { outputTokens: 2 } });
    s.push({ type: 'message_stop' });
    expect(out.filter((p) => p.type === 'message_start')).toEqual([start('m2', { inputTokens: 7 })]);
    expect(assembler.result()).toMatchObject({
      id: 'm2',
      content: [{ type: 'text', text: 'Fresh.' }],
      usage: { inputTokens: 7, outputTokens: 2 },
    });
  });

  it('commits an empty answer at its end', () => {
    const { s, out, commits } = setup();
    s.beginPiece();
    s.push(start('m1'));
    s.push({ type: 'message_delta', stopReason: 'end_turn' });
    s.push({ type: 'message_stop' });
    expect(out.map((p) => p.type)).toEqual(['message_start', 'message_delta', 'message_stop']);
    expect(commits()).toBe(1);
  });

  it('a tool call as the first content commits when it is whole', () => {
    const { s, out } = setup();
    s.beginPiece();
    s.push(start('m1'));
    s.push(toolStart(0));
    s.push(args(0, '{"q":'));
    expect(s.committed).toBe(false);
    s.push(args(0, '"x"}'));
    s.push(stop(0));
    expect(s.committed).toBe(true);
    expect(out).toEqual([start('m1'), toolStart(0), args(0, '{"q":"x"}'), stop(0)]);
  });
});

describe('stitcher: continuations', () => {
  it('keeps the broken text block open across a continuation, drops the repeat, renumbers later blocks and sums usage', () => {
    const { s, out, texts } = setup();
    firstPieceCut(s, 'Hello there, ');
    expect(s.partialContent()).toEqual([{ type: 'text', text: 'Hello there, ' }]);
    s.beginPiece({ kind: 'continue', anchor: 'Hello there,' });
    s.push(start('m2', { inputTokens: 120 }));
    s.push(textStart(0));
    s.push(text(0, 'Hello there, general Kenobi.'));
    s.push(stop(0));
    s.push(toolStart(1));
    s.push(args(1, '{}'));
    s.push(stop(1));
    s.push({ type: 'message_delta', stopReason: 'tool_use', usage: { outputTokens: 9 } });
    s.push({ type: 'message_stop' });
    expect(out.filter((p) => p.type === 'message_start')).toHaveLength(1);
    expect(texts()).toBe('Hello there, general Kenobi.');
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

  it('holds the head while it may be a restart, and forwards nothing of it before it is aligned', () => {
    const { s, out, texts } = setup();
    firstPieceCut(s, 'The cache keeps the last answer for each key and');
    const sent = out.length;
    s.beginPiece({ kind: 'continue', anchor: 'answer for each key and' });
    s.push(start('m2'));
    s.push(textStart(0));
    for (const t of [
      'The',
      ' cache',
      ' keeps',
      ' the',
      ' last',
      ' answer',
      ' for',
      ' each',
      ' key',
      ' and',
    ]) {
      s.push(text(0, t));
      expect(out.length).toBe(sent);
      expect(s.pieceForwarded).toBe(false);
    }
    s.push(text(0, ' drops'));
    expect(s.pieceForwarded).toBe(true);
    s.push(text(0, ' it after a minute.'));
    s.push(stop(0));
    s.push({ type: 'message_stop' });
    expect(texts()).toBe('The cache keeps the last answer for each key and drops it after a minute.');
  });

  it('joins a new turn that starts without a space ("staring" + "at")', () => {
    const { s, texts } = setup();
    firstPieceCut(s, 'I was staring');
    s.beginPiece({ kind: 'continue', anchor: 'I was staring' });
    s.push(start('m2'));
    s.push(textStart(0));
    s.push(text(0, 'at the wall.'));
    s.push(stop(0));
    s.push({ type: 'message_stop' });
    expect(texts()).toBe('I was staring at the wall.');
  });

  it('an unaligned continuation throws a typed error and nothing of it reaches the caller; the next one can still align', () => {
    const { s, out, texts, assembler } = setup();
    firstPieceCut(s, 'The report is due on Friday.');
    const sent = out.length;
    s.beginPiece({ kind: 'continue', anchor: 'The report is due on Friday.' });
    s.push(start('m2'));
    s.push(textStart(0));
    s.push(text(0, 'Our team will deliver'));
    s.push(text(0, ' the findings next week.'));
    let error: unknown;
    try {
      s.push(stop(0));
    } catch (e) {
      error = e;
    }
    expect(OutlastError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'invalid_response', code: CONTINUATION_UNALIGNED, retryable: true });
    expect((error as Error).message).toMatch(
      /28 characters of answer already sent.*anchor "The report is due on Friday\."/,
    );
    expect((error as Error).message).toMatch(/began "Our team will deliver/);
    expect(() => s.push({ type: 'message_stop' })).toThrow(/could not be aligned/);
    expect(out.length).toBe(sent);
    expect(s.pieceForwarded).toBe(false);
    s.abandonPiece();
    s.beginPiece({ kind: 'continue', anchor: 'The report is due on Friday.' });
    s.push(start('m3'));
    s.push(textStart(0));
    s.push(text(0, 'The report is due on Friday. It covers the outage.'));
    s.push(stop(0));
    s.push({ type: 'message_stop' });
    expect(texts()).toBe('The report is due on Friday. It covers the outage.');
    expect(assembler.result().content).toEqual([
      { type: 'text', text: 'The report is due on Friday. It covers the outage.' },
    ]);
    expect(s.wastedOutputTokens).toBeGreaterThanOrEqual(Math.ceil(44 / 4) + Math.ceil(28 / 4));
  });

  it('finish() decides a head the upstream never closed', () => {
    const { s } = setup();
    firstPieceCut(s, 'It rained all day.');
    s.beginPiece({ kind: 'continue', anchor: 'It rained all day.' });
    s.push(start('m2'));
    s.push(textStart(0));
    s.push(text(0, 'Something else entirely.'));
    expect(() => s.finish()).toThrow(expect.objectContaining({ code: CONTINUATION_UNALIGNED }));
  });

  it('a continuation that only repeats ends the answer with what the caller has and the stop reason reported before', () => {
    const { s, out, texts } = setup();
    s.beginPiece();
    s.push(start('m1'));
    s.push(textStart(0));
    s.push(text(0, 'All done here.'));
    s.push({ type: 'message_delta', stopReason: 'stop_sequence', stopSequence: '###' });
    s.interruptPiece();
    s.beginPiece({ kind: 'continue', anchor: 'All done here.' });
    s.push(start('m2'));
    s.push(textStart(0));
    s.push(text(0, 'done here.'));
    s.push(stop(0));
    s.push({ type: 'message_delta', stopReason: 'end_turn', usage: { outputTokens: 3 } });
    s.push({ type: 'message_stop' });
    expect(texts()).toBe('All done here.');
    expect(out.slice(-3)).toMatchObject([
      { type: 'block_stop', index: 0 },
      { type: 'message_delta', stopReason: 'stop_sequence' },
      { type: 'message_stop' },
    ]);
  });

  it('an empty continuation is complete: end_turn when no stop reason was known', () => {
    const { s, out, texts } = setup();
    firstPieceCut(s, 'Short answer.');
    s.beginPiece({ kind: 'prefill', trimmed: '' });
    s.push(start('m2'));
    s.push({ type: 'message_delta', stopReason: 'end_turn' });
    s.push({ type: 'message_stop' });
    expect(texts()).toBe('Short answer.');
    expect(out.slice(-3)).toMatchObject([
      { type: 'block_stop', index: 0 },
      { type: 'message_delta', stopReason: 'end_turn' },
      { type: 'message_stop' },
    ]);
  });

  it('drops the thinking a continuation sends before its text', () => {
    const { s, out, texts } = setup();
    firstPieceCut(s, 'The answer is');
    s.beginPiece({ kind: 'prefill', trimmed: '' });
    s.push(start('m2'));
    s.push({ type: 'block_start', index: 0, block: { type: 'thinking' } });
    s.push({ type: 'block_delta', index: 0, delta: { type: 'thinking', thinking: 'where was I' } });
    s.push(stop(0));
    s.push(textStart(1));
    s.push(text(1, ' forty-two.'));
    s.push(stop(1));
    s.push({ type: 'message_stop' });
    expect(texts()).toBe('The answer is forty-two.');
    expect(out.some((p) => p.type === 'block_start' && p.block.type === 'thinking')).toBe(false);
  });

  it('salvage drops a held head, closes the open block and marks the end truncated', () => {
    const { s, out, texts } = setup();
    firstPieceCut(s, 'partial answer');
    s.beginPiece({ kind: 'continue', anchor: 'partial answer' });
    s.push(start('m2'));
    s.push(textStart(0));
    s.push(text(0, 'partial'));
    s.interruptPiece();
    s.salvage();
    expect(texts()).toBe('partial answer');
    expect(out.slice(-3)).toMatchObject([
      { type: 'block_stop', index: 0 },
      { type: 'message_delta', stopReason: 'max_tokens' },
      { type: 'message_stop', truncated: true },
    ]);
  });

  it('a finished thinking block before the text does not stop a continuation; an open one does', () => {
    const { s } = setup();
    s.beginPiece();
    s.push(start('m1'));
    s.push({ type: 'block_start', index: 0, block: { type: 'thinking' } });
    s.push({ type: 'block_delta', index: 0, delta: { type: 'thinking', thinking: 'hmm' } });
    expect(s.partialContent()).toBeUndefined();
    s.push(stop(0));
    s.push(textStart(1));
    s.push(text(1, 'The answer is'));
    s.interruptPiece();
    expect(s.partialContent()).toEqual([{ type: 'text', text: 'The answer is' }]);
  });
});
