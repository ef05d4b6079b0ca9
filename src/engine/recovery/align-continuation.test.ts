import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ContinuationMode, chooseAnchor } from './align-continuation.ts';
import {
  makeAnswer,
  PREAMBLE,
  paraphraseOf,
  reword,
  alignTokenByToken as run,
  type TestAnswer,
  toTokens,
} from './fixtures.ts';

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
