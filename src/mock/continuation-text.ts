/**
 * The text a continuation behaviour answers with, given the mock's own answer (as tokens) and
 * the part of it the request already holds. Pure and deterministic: the same inputs give the
 * same tokens, so a test can script "the model restarts its answer" and know every byte.
 */
import type {
  CompleteBehaviour,
  ContinuationBehaviour,
  ContinueMode,
  InnerBehaviour,
  LeadingSpace,
} from './continuation-spec.ts';
import { DEFAULT_COMPLETE_NOTE, DEFAULT_OVERLAP_CHARS, DEFAULT_PREAMBLE } from './continuation-spec.ts';
import { hash32 } from './hash.ts';
import { tokenStartAtOrBefore, tokensAfter, WORDS } from './text-generator.ts';

export interface ContinuationInput {
  mode: ContinueMode;
  /** The mock's own answer to the conversation before the partial answer. */
  full: readonly string[];
  /** The answer so far: a start of `full.join('')` (shorter than it, or equal when complete). */
  partial: string;
  /** Seeds the paraphrase. */
  key: string;
  /** An unrelated answer (for `different`). */
  fresh: () => string[];
  /** The continue turn's text ('' after a prefill): where an anchor is quoted. */
  prompt: string;
}

const QUOTED = [/"([^"]+)"/g, /\u201c([^\u201d]+)\u201d/g, /`([^`]+)`/g, /\u00ab([^\u00bb]+)\u00bb/g];

/** The longest text the prompt quotes that ends the partial answer. */
export function quotedAnchor(prompt: string, partial: string): string | undefined {
  const tail = partial.trimEnd();
  let best: string | undefined;
  for (const pattern of QUOTED)
    for (const match of prompt.matchAll(pattern)) {
      const quoted = match[1]!;
      if (
        quoted.trim() !== '' &&
        tail.endsWith(quoted) &&
        (best === undefined || quoted.length > best.length)
      )
        best = quoted;
    }
  return best;
}

/** Splits text into tokens the way the generator does: each word with its leading space. */
export function wordTokens(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

function dropLeadingSpace(tokens: string[]): string[] {
  const first = tokens[0];
  if (first === undefined) return tokens;
  const trimmed = first.trimStart();
  return trimmed === '' ? dropLeadingSpace(tokens.slice(1)) : [trimmed, ...tokens.slice(1)];
}

/** A new turn starts without a leading space; a prefill's continuation keeps it. */
function withSpace(tokens: string[], mode: ContinueMode, space: LeadingSpace | undefined): string[] {
  const effective = space ?? (mode === 'continue' ? 'drop' : 'keep');
  return effective === 'drop' ? dropLeadingSpace(tokens) : tokens;
}

/** Index of the token holding the character at `at` (the last token when past the end). */
function tokenAt(tokens: readonly string[], at: number): number {
  let offset = 0;
  for (let i = 0; i < tokens.length; i++) {
    offset += tokens[i]!.length;
    if (offset > at) return i;
  }
  return tokens.length - 1;
}

/** Index of the first token of the sentence holding token `index`. */
function sentenceStart(tokens: readonly string[], index: number): number {
  let i = index;
  while (i > 0 && !/[.!?]$/.test(tokens[i - 1]!.trimEnd())) i--;
  return i;
}

/** The tokens after the partial answer. */
function rest(input: ContinuationInput): string[] {
  return tokensAfter(input.full, input.partial.length) ?? [];
}

/** Another word of about the same length, keeping case, spacing and punctuation. */
function reword(token: string, key: string, index: number): string {
  const m = /^(\s*)([A-Za-z]+)(.*)$/s.exec(token);
  if (!m) return token;
  const [, lead, word, tail] = m as unknown as [string, string, string, string];
  const lower = word.toLowerCase();
  const near = WORDS.filter((w) => w !== lower && Math.abs(w.length - word.length) <= 2);
  const pool = near.length > 0 ? near : WORDS.filter((w) => w !== lower);
  let next = pool[hash32(`${key}\u0000${index}`) % pool.length]!;
  if (word[0] !== word[0]!.toLowerCase()) next = next[0]!.toUpperCase() + next.slice(1);
  return `${lead}${next}${tail}`;
}

function innerTokens(input: ContinuationInput, b: InnerBehaviour, space?: LeadingSpace): string[] {
  const { full, partial, mode } = input;
  switch (b.type) {
    case 'exact':
      return withSpace(rest(input), mode, b.space ?? space);
    case 'overlap': {
      const chars = b.chars ?? DEFAULT_OVERLAP_CHARS;
      const start = tokenStartAtOrBefore(full, Math.max(0, partial.length - chars));
      // Keeps its leading space by default: the overlap the stitcher has always been given.
      return withSpace(full.slice(start.index), mode, b.space ?? space ?? 'keep');
    }
    case 'echo': {
      const chars = b.chars ?? DEFAULT_OVERLAP_CHARS;
      const start = tokenStartAtOrBefore(full, Math.max(0, partial.length - chars));
      const end = tokenStartAtOrBefore(full, partial.length);
      // Only what the partial already holds (a token cut in the middle, up to the cut).
      const echoed = full.slice(start.index, end.index).join('') + partial.slice(end.offset);
      return withSpace(wordTokens(echoed), mode, b.space ?? space ?? 'keep');
    }
    case 'empty':
      return [];
    case 'sentence_restart': {
      if (partial.length === 0) return [...full];
      const start = sentenceStart(full, tokenAt(full, partial.length - 1));
      return withSpace(full.slice(start), mode, b.space ?? space);
    }
    case 'full_restart':
      return [...full];
    case 'paraphrase': {
      if (partial.length === 0) return rest(input);
      const last = tokenAt(full, partial.length - 1);
      const head = full.slice(0, last + 1).map((t, i) => reword(t, input.key, i));
      return [...head, ...full.slice(last + 1)];
    }
    case 'different':
      return input.fresh();
    case 'anchor': {
      const anchor = quotedAnchor(input.prompt, partial);
      if (anchor === undefined) return withSpace(rest(input), mode, space);
      // The anchor as quoted, then the answer from where it ends, which is where the partial ends.
      return [anchor, ...(tokensAfter(full, partial.trimEnd().length) ?? [])];
    }
  }
}

/** The text tokens a continuation behaviour answers with (prefill_rejected is handled before). */
export function continuationTokens(
  input: ContinuationInput,
  behaviour: Exclude<ContinuationBehaviour, { type: 'prefill_rejected' }>,
): string[] {
  switch (behaviour.type) {
    case 'prefill_ignored':
      return [...input.full];
    case 'preamble': {
      const opener = wordTokens(behaviour.text ?? DEFAULT_PREAMBLE);
      const body = innerTokens(input, behaviour.next ?? { type: 'exact' }, 'drop');
      const [first, ...more] = body;
      if (first === undefined) return opener;
      if (input.mode === 'prefill' && opener[0] !== undefined) opener[0] = ` ${opener[0].trimStart()}`;
      return [...opener, `\n\n${first.trimStart()}`, ...more];
    }
    default:
      return innerTokens(input, behaviour);
  }
}

/** The text tokens after an answer that was already complete; `newTurn` is a fresh answer. */
export function completeTokens(
  input: Pick<ContinuationInput, 'mode' | 'full'> & { newTurn: () => string[] },
  behaviour: CompleteBehaviour,
): string[] {
  const leading = (tokens: string[]) =>
    input.mode === 'prefill' && tokens[0] !== undefined
      ? [` ${tokens[0].trimStart()}`, ...tokens.slice(1)]
      : dropLeadingSpace(tokens);
  switch (behaviour.type) {
    case 'complete_new_turn':
      return input.newTurn();
    case 'complete_empty':
      return [];
    case 'complete_repeat': {
      if (input.full.length === 0) return [];
      const start = sentenceStart(input.full, input.full.length - 1);
      return leading(input.full.slice(start));
    }
    case 'complete_note':
      return leading(wordTokens(behaviour.text ?? DEFAULT_COMPLETE_NOTE));
  }
}
