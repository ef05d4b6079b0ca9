/** alignContinuation's named cases, each a behaviour a real model shows; the sweeps and properties are in align-continuation.test.ts. */
import { describe, expect, it } from 'vitest';
import { alignContinuation, type ContinuationMode, chooseAnchor } from './align-continuation.ts';
import { makeAnswer, PREAMBLE, alignTokenByToken as run } from './fixtures.ts';

describe('alignContinuation, the cases by name', () => {
  const prefill = (trimmed = ''): ContinuationMode => ({ kind: 'prefill', trimmed });
  const cont = (anchor: string): ContinuationMode => ({ kind: 'continue', anchor });

  it('joins a new turn that carries on a word-ended cut with a space ("staring" + "at")', () => {
    expect(run('I was staring', 'at the wall for hours.', cont('I was staring'))).toMatchObject({
      text: 'I was staring at the wall for hours.',
    });
    expect(run('I was staring ', 'at the wall.', cont('I was staring'))).toMatchObject({
      text: 'I was staring at the wall.',
    });
    expect(run('I was staring', ', then left.', cont('I was staring'))).toMatchObject({
      text: 'I was staring, then left.',
    });
  });

  it('continues a prefill inside a word, and drops the trimmed whitespace the model sends again', () => {
    expect(run('I was star', 'ing at the wall.', prefill())).toMatchObject({
      text: 'I was staring at the wall.',
    });
    expect(run('One.\n\n', '\n\nTwo.', prefill('\n\n'))).toMatchObject({ text: 'One.\n\nTwo.' });
  });

  it('aligns by the anchor when the cut fell inside a word and the model completes it', () => {
    expect(run('I was star', 'I was staring at the wall.', cont('I was star'))).toMatchObject({
      text: 'I was staring at the wall.',
    });
  });

  it('rejects an exact-looking new sentence after a sentence-end cut in a continue turn', () => {
    expect(run('It rained all day.', 'The roads flooded by noon.', cont('It rained all day.'))).toEqual({
      kind: 'unaligned',
    });
  });

  it('rejects a capitalised head after a mid-sentence cut, and a one-word repeat', () => {
    expect(run('Then I met', 'John at the station.', cont('Then I met'))).toEqual({ kind: 'unaligned' });
    expect(run('I think that', 'that is right.', prefill())).toEqual({ kind: 'unaligned' });
  });

  it('takes a one-word repeat when that word is the whole anchor', () => {
    expect(run('Steps:\n1.', '1. Open the door.', cont('1.'))).toMatchObject({
      text: 'Steps:\n1. Open the door.',
    });
  });

  it('holds a full restart of a long answer until it has passed the cut, then forwards the rest', () => {
    const original = makeAnswer(2000, 7).text;
    const at = original.length - 30;
    const answer = original.slice(0, at);
    const outcome = run(answer, original, cont(chooseAnchor(answer)));
    expect(outcome).toMatchObject({ kind: 'text', text: original });
    expect((outcome as { held: number }).held).toBeGreaterThan(at);
  });

  it('decides an exact prefill continuation within a few tokens', () => {
    const original = makeAnswer(200, 3).text;
    const answer = original.slice(0, original.indexOf(' ', 500));
    const outcome = run(answer, original.slice(answer.length), prefill());
    expect(outcome).toMatchObject({ kind: 'text', text: original });
    expect((outcome as { held: number }).held).toBeLessThan(60);
  });

  it('does not take a quoted "..." or a quote as the rest of a sentence', () => {
    expect(run('I was staring at', '"I was staring at the wall.', cont('I was staring at'))).toMatchObject({
      text: 'I was staring at the wall.',
    });
    expect(run('I was staring at', '...something else entirely.', cont('I was staring at'))).toEqual({
      kind: 'unaligned',
    });
  });

  it("rejects a paraphrase that shares the answer's opening words, and a one-word restart in a prefill", () => {
    const answer = 'I was staring at the wall for what felt like hours, and';
    const head = 'I was looking at the ceiling for a very long time, and then I got up to make some tea.';
    expect(run(answer, head, cont(chooseAnchor(answer)))).toEqual({ kind: 'unaligned' });
    expect(run(answer, head, prefill())).toEqual({ kind: 'unaligned' });
    expect(run('The', 'The cat sat on the mat.', prefill())).toEqual({ kind: 'unaligned' });
    expect(run('The', 'The cat sat on the mat.', cont('The'))).toMatchObject({
      text: 'The cat sat on the mat.',
    });
  });

  it('calls a repeat that ends before the cut and then stops neither complete nor aligned text', () => {
    expect(run('A cat sat. Then a dog came', 'A cat sat.', cont('Then a dog came'))).toEqual({
      kind: 'unaligned',
    });
  });

  it('is complete when the head only repeats the end of an answer that was whole', () => {
    expect(run('It rained all day.', 'rained all day.', cont('It rained all day.'))).toEqual({
      kind: 'complete',
    });
    expect(run('It rained all day.', PREAMBLE, cont('It rained all day.'))).toEqual({ kind: 'complete' });
  });

  it('a prefilled turn that chats first is read as a new turn: joined with a space, same rejections', () => {
    expect(
      run('I was staring', ' Sure, continuing from where I left off:\n\nat the wall.', prefill()),
    ).toMatchObject({
      text: 'I was staring at the wall.',
    });
    expect(
      run('It rained.', ' Sure, continuing from where I left off:\n\nThe roads flooded.', prefill()),
    ).toEqual({
      kind: 'unaligned',
    });
  });

  it('a note about the answer having ended is complete; a real last sentence is not taken for one', () => {
    for (const note of [
      'That was the end of my answer.',
      'My previous answer was already complete.',
      "That's all of my answer.",
    ])
      expect(run('It rained all day.', note, cont('It rained all day.'))).toEqual({ kind: 'complete' });
    expect(run('It rained all day.', 'That was all.', cont('It rained all day.'))).toEqual({
      kind: 'unaligned',
    });
    expect(run('We waited and', 'that was the end of it.', cont('We waited and'))).toMatchObject({
      text: 'We waited and that was the end of it.',
    });
  });

  it("a prefilled reply to a whole answer that only says it was whole is complete, not the answer's rest", () => {
    // Found by the fault soak: a stream cut after its last token, before its stop reason, was
    // continued by prefill and the model's note got appended to an answer that was complete.
    for (const note of [' That was the end of my answer.', '\n\nMy previous answer was already complete.'])
      expect(run('It rained all day. The roads flooded by noon.', note, prefill())).toEqual({
        kind: 'complete',
      });
    // A real next sentence still goes on, once it is longer than any note could be.
    const rest =
      ' The schools closed early, and the buses stopped running before the evening rush began, so most people walked home through the water.';
    expect(run('It rained all day.', rest, prefill())).toMatchObject({
      kind: 'text',
      text: `It rained all day.${rest}`,
    });
  });

  it('nothing new after an answer that stops mid-sentence is rejected, never taken for complete', () => {
    for (const head of ['', 'staring at', 'That was the end of my answer.'])
      expect(run('I was staring at', head, cont('I was staring at'))).toEqual({ kind: 'unaligned' });
    expect(
      alignContinuation({ answer: 'I was staring at', head: '', mode: prefill(), ended: true }),
    ).toMatchObject({ reason: /stops mid-sentence \("I was staring at"\).*sent no text/ });
  });

  it('says what it expected and what came', () => {
    const verdict = alignContinuation({
      answer: 'It rained all day.',
      head: 'The roads flooded by noon and the schools closed early, as they had the year before.'.repeat(8),
      mode: cont('It rained all day.'),
      ended: false,
    });
    expect(verdict).toMatchObject({ kind: 'unaligned' });
    expect((verdict as { reason: string }).reason).toMatch(/anchor "It rained all day\."/);
    expect((verdict as { reason: string }).reason).toMatch(/began "The roads flooded/);
  });

  it('chooses as anchor the last words of the last line, verbatim', () => {
    expect(chooseAnchor('one two three four five six seven eight ')).toBe('three four five six seven eight');
    expect(chooseAnchor('First line here.\n\nSecond')).toBe('Second');
    expect(chooseAnchor('a  b')).toBe('a  b');
  });
});
