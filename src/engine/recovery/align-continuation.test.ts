import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Alignment,
  alignContinuation,
  type ContinuationMode,
  chooseAnchor,
} from './align-continuation.ts';
import { makeAnswer, paraphraseOf, reword, type TestAnswer, toTokens } from './fixtures.ts';

type Outcome = { kind: 'text'; text: string; held: number } | { kind: 'complete' } | { kind: 'unaligned' };

/** Feeds the head token by token as the stitcher does; the text the caller would end with. */
function run(answer: string, head: string, mode: ContinuationMode, tokens = toTokens(head)): Outcome {
  let got = '';
  let i = 0;
  let verdict: Alignment = { kind: 'need_more' };
  while (i < tokens.length) {
    got += tokens[i++];
    verdict = alignContinuation({ answer, head: got, mode, ended: false });
    if (verdict.kind !== 'need_more') break;
  }
  if (verdict.kind === 'need_more') verdict = alignContinuation({ answer, head: got, mode, ended: true });
  const after = tokens.slice(i).join('');
  switch (verdict.kind) {
    case 'need_more':
      throw new Error('need_more after the head ended');
    case 'aligned':
      return {
        kind: 'text',
        text: answer + verdict.join + got.slice(verdict.drop) + after,
        held: got.length,
      };
    case 'complete':
      return { kind: 'complete' };
    case 'unaligned':
      return { kind: 'unaligned' };
  }
}

type CutKind = 'word' | 'punct' | 'space';

/** The original cut after word `k` (1-based): at the word's last letter, after its punctuation, or after the space that follows. */
function cut(o: TestAnswer, k: number, kind: CutKind): { answer: string; rest: string } {
  const start = o.wordStarts[k - 1] as number;
  let end = start;
  while (end < o.text.length && /[\p{L}]/u.test(o.text[end] ?? '')) end++;
  if (kind !== 'word') while (end < o.text.length && /[.,]/.test(o.text[end] ?? '')) end++;
  if (kind === 'space') while (end < o.text.length && /\s/.test(o.text[end] ?? '')) end++;
  return { answer: o.text.slice(0, end), rest: o.text.slice(end) };
}

const words = (t: string) => t.split(/\s+/).filter(Boolean).length;
const lastWords = (core: string, n: number) => {
  const parts = core.split(' ');
  return parts.slice(-n).join(' ');
};
const lastSentence = (core: string) => {
  const m = /(?:^|[.!?]\s+|\n)([^\n.!?]*[.!?]?)$/.exec(core);
  const s = m?.[1] ?? core;
  return s === '' ? core.slice(core.search(/\S+[.!?]?$/)) : s;
};
const endsSentence = (core: string) => /[.!?]$/.test(core);

interface Case {
  name: string;
  mode: 'prefill' | 'continue';
  head: (c: {
    answer: string;
    rest: string;
    after: string;
    original: string;
    core: string;
    anchor: string;
  }) => string;
  /** 'original' unless told otherwise. */
  expect?: (c: {
    answer: string;
    rest: string;
    core: string;
    anchor: string;
  }) => 'original' | 'unaligned' | 'complete';
}

const PREAMBLE = 'Sure, continuing from where I left off:\n\n';
/** A repeat is taken at the head's start when it is the whole answer, two words or more, or the whole anchor. */
const repeatOk = (repeat: string, _core: string, anchor: string, mode: 'prefill' | 'continue') =>
  words(repeat) >= 2 || (mode === 'continue' && repeat.length >= anchor.length);
/** After unrecognised text a repeat needs five words. */
const laterOk = (repeat: string, _core: string) => words(repeat) >= 5;
/** Nothing new: complete after a sentence end, rejected when the answer stops mid-sentence. */
const finishedOrNot = (core: string) => (/[\p{L}\p{N},;:]$/u.test(core) ? 'unaligned' : 'complete');
const continueExactOk = (c: { answer: string; rest: string; core: string }) =>
  !endsSentence(c.core) && /^[\p{Ll},.]/u.test(c.rest.trimStart()) ? 'original' : 'unaligned';

const CASES: Case[] = [
  { name: 'prefill: exact continuation', mode: 'prefill', head: (c) => c.after },
  {
    name: 'prefill: ignored, whole answer restarted',
    mode: 'prefill',
    head: (c) => c.original,
    expect: (c) => (words(c.core) >= 2 ? 'original' : 'unaligned'),
  },
  {
    name: 'prefill: ignored, preamble then the whole answer',
    mode: 'prefill',
    head: (c) => `Sure! Here is the answer:\n\n${c.original}`,
    expect: (c) => (words(c.core) >= 2 ? 'original' : 'unaligned'),
  },
  {
    name: 'prefill: sentence restarted',
    mode: 'prefill',
    head: (c) => lastSentence(c.core) + c.after,
    expect: (c) => (repeatOk(lastSentence(c.core), c.core, c.anchor, 'prefill') ? 'original' : 'unaligned'),
  },
  {
    name: 'prefill: tail repeated',
    mode: 'prefill',
    head: (c) => lastWords(c.core, 3) + c.after,
    expect: (c) => (words(lastWords(c.core, 3)) >= 2 ? 'original' : 'unaligned'),
  },
  {
    name: 'prefill: chatty preamble, then the rest as a new turn',
    mode: 'prefill',
    head: (c) => ` ${PREAMBLE}${c.rest.trimStart()}`,
    expect: continueExactOk,
  },
  {
    name: 'prefill: tail repeated after its own space',
    mode: 'prefill',
    head: (c) => ` ${lastWords(c.core, 4)}${c.after}`,
    expect: (c) => (words(lastWords(c.core, 4)) >= 2 ? 'original' : 'unaligned'),
  },
  { name: 'prefill: paraphrase', mode: 'prefill', head: () => PARAPHRASE, expect: () => 'unaligned' },
  {
    name: 'prefill: the answer so far reworded, then the real rest',
    mode: 'prefill',
    head: (c) => reword(c.core) + c.after,
    expect: () => 'unaligned',
  },
  {
    name: 'continue: the answer so far reworded, then the real rest',
    mode: 'continue',
    head: (c) => reword(c.core) + c.after,
    expect: () => 'unaligned',
  },
  { name: 'prefill: empty', mode: 'prefill', head: () => '', expect: (c) => finishedOrNot(c.core) },
  {
    name: 'continue: exact continuation',
    mode: 'continue',
    head: (c) => c.rest.trimStart(),
    expect: continueExactOk,
  },
  { name: 'continue: anchor repeated', mode: 'continue', head: (c) => c.anchor + c.after },
  {
    name: 'continue: tail repeated',
    mode: 'continue',
    head: (c) => lastWords(c.core, 3) + c.after,
    expect: (c) => (repeatOk(lastWords(c.core, 3), c.core, c.anchor, 'continue') ? 'original' : 'unaligned'),
  },
  {
    name: 'continue: sentence restarted',
    mode: 'continue',
    head: (c) => lastSentence(c.core) + c.after,
    expect: (c) => (repeatOk(lastSentence(c.core), c.core, c.anchor, 'continue') ? 'original' : 'unaligned'),
  },
  { name: 'continue: whole answer restarted', mode: 'continue', head: (c) => c.original },
  {
    name: 'continue: preamble, then the anchor',
    mode: 'continue',
    head: (c) => PREAMBLE + c.anchor + c.after,
  },
  {
    name: 'continue: preamble quoting the anchor, then the anchor',
    mode: 'continue',
    head: (c) => `Sure, I'll continue from "${c.anchor}":\n\n${c.anchor}${c.after}`,
  },
  {
    name: 'continue: preamble, then the exact rest',
    mode: 'continue',
    head: (c) => `Of course. Continuing:\n${c.rest.trimStart()}`,
    expect: continueExactOk,
  },
  {
    name: 'continue: unrecognised chat, then the anchor',
    mode: 'continue',
    head: (c) => `Let me pick this up again.\n\n${c.anchor}${c.after}`,
    expect: (c) => (laterOk(c.anchor, c.core) ? 'original' : 'unaligned'),
  },
  {
    name: 'continue: unrecognised chat, then the whole answer',
    mode: 'continue',
    head: (c) => `No worries! Let me write it out in full. ${c.original}`,
    expect: (c) => (laterOk(c.core, c.core) ? 'original' : 'unaligned'),
  },
  { name: 'continue: "..." before the anchor', mode: 'continue', head: (c) => `...${c.anchor}${c.after}` },
  { name: 'continue: paraphrase', mode: 'continue', head: () => PARAPHRASE, expect: () => 'unaligned' },
  {
    name: 'continue: preamble, then a paraphrase',
    mode: 'continue',
    head: () => PREAMBLE + PARAPHRASE,
    expect: () => 'unaligned',
  },
  { name: 'continue: empty', mode: 'continue', head: () => '  \n', expect: (c) => finishedOrNot(c.core) },
  {
    name: 'continue: only the anchor again',
    mode: 'continue',
    head: (c) => c.anchor,
    expect: (c) => finishedOrNot(c.core),
  },
];
let PARAPHRASE = '';

describe.each([10, 40, 200, 2000])('alignContinuation, a %i-word answer', (n) => {
  const original = makeAnswer(n, n);
  const cuts = [...new Set([Math.max(2, Math.round(n * 0.2)), n - 2, ...(n === 2000 ? [10, 40, 200] : [])])];
  for (const k of cuts) {
    for (const kind of ['word', 'punct', 'space'] as CutKind[]) {
      const { answer, rest } = cut(original, k, kind);
      const core = answer.trimEnd();
      const anchor = chooseAnchor(answer);
      it.each(CASES)(`cut after word ${k} (${kind}): $name`, (c) => {
        PARAPHRASE = paraphraseOf(n, n);
        const mode: ContinuationMode =
          c.mode === 'prefill'
            ? { kind: 'prefill', trimmed: answer.slice(core.length) }
            : { kind: 'continue', anchor };
        const head = c.head({
          answer,
          rest,
          after: original.text.slice(core.length),
          original: original.text,
          core,
          anchor,
        });
        const expected = c.expect?.({ answer, rest, core, anchor }) ?? 'original';
        const outcome = run(answer, head, mode);
        if (expected === 'original') expect(outcome).toMatchObject({ kind: 'text', text: original.text });
        else expect(outcome).toEqual({ kind: expected });
      });
    }
  }
});

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

describe('alignContinuation, properties', () => {
  const answerArb = fc.record({
    n: fc.integer({ min: 3, max: 400 }),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    kind: fc.constantFrom<CutKind>('word', 'punct', 'space'),
    chunk: fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined }),
  });
  const setup = ({ n, seed, at, kind }: { n: number; seed: number; at: number; kind: CutKind }) => {
    const original = makeAnswer(n, seed);
    const k = Math.min(n - 1, 1 + Math.floor(at * (n - 1)));
    const { answer, rest } = cut(original, k, kind);
    const core = answer.trimEnd();
    return {
      original,
      answer,
      rest,
      core,
      anchor: chooseAnchor(answer),
      after: original.text.slice(core.length),
    };
  };

  it('every alignable behaviour gives back exactly the original answer, however the head is chunked', () => {
    const alignable = CASES.filter((c) => !['prefill: paraphrase', 'continue: paraphrase'].includes(c.name));
    fc.assert(
      fc.property(answerArb, fc.constantFrom(...alignable), (a, c) => {
        const s = setup(a);
        PARAPHRASE = paraphraseOf(a.n, a.seed);
        const expected = c.expect?.(s) ?? 'original';
        const mode: ContinuationMode =
          c.mode === 'prefill'
            ? { kind: 'prefill', trimmed: s.answer.slice(s.core.length) }
            : { kind: 'continue', anchor: s.anchor };
        const head = c.head({ ...s, original: s.original.text });
        const outcome = run(s.answer, head, mode, toTokens(head, a.chunk));
        if (expected === 'original') expect(outcome).toMatchObject({ kind: 'text', text: s.original.text });
        else expect(outcome).toEqual({ kind: expected });
      }),
      { numRuns: 400 },
    );
  });

  it('a paraphrase or a different answer never comes out as text, with or without a preamble', () => {
    fc.assert(
      fc.property(
        answerArb,
        fc.constantFrom<'prefill' | 'continue'>('prefill', 'continue'),
        fc.constantFrom('', PREAMBLE, 'Sure! Here is the answer:\n\n', 'Let me start over.\n\n', '...'),
        fc.integer({ min: 1, max: 400 }),
        (a, modeKind, opening, otherLength) => {
          const s = setup(a);
          const head = opening + paraphraseOf(otherLength, a.seed);
          const mode: ContinuationMode =
            modeKind === 'prefill'
              ? { kind: 'prefill', trimmed: s.answer.slice(s.core.length) }
              : { kind: 'continue', anchor: s.anchor };
          expect(run(s.answer, head, mode, toTokens(head, a.chunk))).toEqual({ kind: 'unaligned' });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('an empty head, or one that only repeats the end of a whole answer, is complete', () => {
    fc.assert(
      fc.property(
        fc.record({ n: fc.integer({ min: 1, max: 400 }), seed: fc.integer({ min: 1, max: 1_000_000 }) }),
        fc.integer({ min: 2, max: 12 }),
        fc.constantFrom('', PREAMBLE),
        fc.constantFrom<'prefill' | 'continue'>('prefill', 'continue'),
        fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined }),
        ({ n, seed }, tailWords, opening, modeKind, chunk) => {
          const whole = makeAnswer(n, seed).text;
          const anchor = chooseAnchor(whole);
          const mode: ContinuationMode =
            modeKind === 'prefill' ? { kind: 'prefill', trimmed: '' } : { kind: 'continue', anchor };
          const tail = whole.slice(whole.length - lastWords(whole, tailWords).length);
          for (const head of ['', ' \n ', opening + anchor, opening + whole, opening + tail]) {
            expect(run(whole, head, mode, toTokens(head, chunk))).toEqual({ kind: 'complete' });
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
