/**
 * Test fixtures (not shipped: fixtures.ts is excluded from the build).
 * Deterministic English-like answers for the recovery tests: sentences of lower-case words,
 * capitalised and full-stopped, commas now and then, a paragraph break every few sentences;
 * no word twice in a row (a real answer rarely doubles one, and a doubled word is the one
 * thing the aligner cannot tell from a repeat). A second, disjoint vocabulary gives the
 * paraphrases: same shape, none of the same words.
 */
import { type Alignment, alignContinuation, type ContinuationMode } from './align-continuation.ts';

const WORDS = (
  'time year people way day man thing woman life child world school state family student group ' +
  'country problem hand part place case week company system program question work government ' +
  'number night point home water room mother area money story fact month lot right study book ' +
  'eye job word business issue side kind head house service friend father power hour game line ' +
  'end member law car city community name president team minute idea kid body information back ' +
  'parent face others level office door health person art war history party result change ' +
  'morning reason research girl guy moment air teacher force education foot boy age policy ' +
  'process music market sense nation plan college interest death experience effect use class ' +
  'control care field development role effort rate heart drug show leader light voice wife ' +
  'police mind price report decision son view relationship town road arm difference value ' +
  'building action model season society tax director position player record paper space ground ' +
  'form event official matter center couple site project activity star table need court oil ' +
  'situation cost industry figure street image phone data picture practice piece land product ' +
  'doctor wall patient worker news test movie north love support technology step baby computer ' +
  'type attention film tree source organization hair window evidence population site truth ' +
  'and the of to in for with on at by from about as into like through after over between out ' +
  'against during without before under around among was is had has will would could should ' +
  'made took gave found told asked said went came knew thought looked wanted used called'
).split(' ');

const OTHER_WORDS = WORDS.map((w) => `${w.split('').reverse().join('')}q`);

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

export interface TestAnswer {
  text: string;
  /** Character offsets where each word starts (after its space), in order. */
  wordStarts: number[];
}

/** An answer of exactly `words` words. */
export function makeAnswer(words: number, seed: number, vocabulary: 'main' | 'other' = 'main'): TestAnswer {
  const vocab = vocabulary === 'main' ? WORDS : OTHER_WORDS;
  const next = rng(seed * 7919 + words);
  let text = '';
  const wordStarts: number[] = [];
  let inSentence = 0;
  let sentenceLength = 5 + Math.floor(next() * 10);
  let sentences = 0;
  let previous = '';
  for (let i = 0; i < words; i++) {
    let word = vocab[Math.floor(next() * vocab.length)] as string;
    while (word === previous) word = vocab[Math.floor(next() * vocab.length)] as string;
    previous = word;
    if (inSentence === 0) word = word[0]?.toUpperCase() + word.slice(1);
    if (i > 0) text += inSentence === 0 && sentences % 3 === 0 ? '\n\n' : ' ';
    wordStarts.push(text.length);
    text += word;
    inSentence++;
    const last = i === words - 1;
    if (inSentence >= sentenceLength || last) {
      text += '.';
      inSentence = 0;
      sentences++;
      sentenceLength = 5 + Math.floor(next() * 10);
    } else if (next() < 0.08) {
      text += ',';
    }
  }
  return { text, wordStarts };
}

/** The same shape in other words: shares no word with any main-vocabulary answer. */
export function paraphraseOf(words: number, seed: number): string {
  return makeAnswer(words, seed + 1, 'other').text;
}

/** Splits text the way streams deliver it: words with their leading whitespace, or every `size` characters. */
export function toTokens(text: string, size?: number): string[] {
  if (size !== undefined) {
    const out: string[] = [];
    for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
    return out;
  }
  return text.match(/\s*\S+/g) ?? (text === '' ? [] : [text]);
}

/** The text with every word swapped for its counterpart in the other vocabulary, as the mock's paraphrase rewords the partial answer. */
export function reword(text: string): string {
  return text.replace(/\p{L}+/gu, (word) => {
    const i = WORDS.indexOf(word.toLowerCase());
    const other = i >= 0 ? (OTHER_WORDS[i] as string) : `${word}q`;
    return word[0] === word[0]?.toUpperCase() ? other[0]?.toUpperCase() + other.slice(1) : other;
  });
}

export type Outcome =
  | { kind: 'text'; text: string; held: number }
  | { kind: 'complete' }
  | { kind: 'unaligned' };

/** Feeds the head token by token as the stitcher does; the text the caller would end with. */
export function alignTokenByToken(
  answer: string,
  head: string,
  mode: ContinuationMode,
  tokens = toTokens(head),
): Outcome {
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

/** The chatty line models open a continuation with. */
export const PREAMBLE = 'Sure, continuing from where I left off:\n\n';
