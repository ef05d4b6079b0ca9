/**
 * Where a continuation's text joins the answer the caller already has, decided before a word
 * of it is forwarded. Pure: the stitcher calls it with the head received so far until it
 * returns something other than `need_more`.
 *
 * What real models send when asked to go on, and how each is recognised:
 * - an exact continuation: a prefilled turn carries on token by token (its own leading space
 *   included); a new "continue" turn starts without a leading space, so the join adds one;
 * - a repeated tail (the anchor the prompt asked for, or any last words), a restarted
 *   sentence, a restart of the whole answer, or an assistant prefill ignored and the answer
 *   started over: the head, from some start, repeats a suffix of the answer up to its very
 *   end; everything up to the end of that repeat is dropped;
 * - a chatty preamble ("Sure, continuing from where I left off:") before any of the above:
 *   a recognisable preamble line is skipped, and the answer's tail is looked for at every
 *   line or sentence start in the head's first window, not only at its start.
 *
 * Ambiguous cases, and what is decided (the rule: never accept text that could be a
 * paraphrase or a different answer when a safer reading exists; a rejected continuation is
 * only a failed attempt, the engine tries the next strategy or target):
 * - Continue turn, cut at a sentence end, head repeating nothing and starting a new sentence:
 *   an exact continuation looks just like a paraphrase or a fresh answer. Rejected.
 * - Continue turn, cut mid-sentence, head repeating nothing: accepted as the rest of the
 *   sentence only when it starts like one (lower-case letter, digit or punctuation); a head
 *   starting with a capital (a proper noun, or a restart in other words) is rejected. The
 *   join is a space after a word character (streams break between tokens, and a token that
 *   continued a word would have been repeated by a model told to repeat the last words); a
 *   cut inside a word therefore only joins right when the model repeats the anchor.
 * - Prefill, head starting like the rest (its own whitespace, a lower-case letter or
 *   punctuation) and repeating nothing: accepted as an exact continuation joined with '', as
 *   a prefilled turn continues the very token stream (a cut inside a word is continued
 *   inside it). A prefill head starting with a capital and repeating nothing was written as
 *   a new answer (the prefill ignored, in other words): rejected.
 * - A head whose start repeats only the answer's last word ("that" + "that is right"): a
 *   repeated word and a doubled word read differently and neither is safe. Rejected, unless
 *   that word is the whole anchor the prompt asked for (or nothing follows it: complete).
 * - A head that repeats part of the answer and ends before reaching the answer's end (a
 *   restart that stopped early) could equally be a short exact continuation that happens to
 *   occur earlier in the answer: never `complete`; it is judged as an exact continuation
 *   would be, or rejected.
 * - A repeat found after unrecognised text must start a line or a sentence and be at least
 *   five words, even when it is the whole answer: a shorter one after arbitrary text is a
 *   coincidence as often as an alignment (a one-word answer "Thought" recurs at sentence
 *   starts). Among several, the longest wins, and of equally long ones the last (a preamble
 *   that quotes the anchor comes before the real repeat).
 * - A repeat at the head's start (after a recognised preamble at most) needs two words, or
 *   the whole anchor of a continue turn: with two words or more, what follows is the model's
 *   own carrying-on from the caller's words. A restart of a one-word answer ("The") in a
 *   prefill is as likely a different answer that starts alike: rejected.
 * - `complete` only for a head that is empty, whitespace, a recognised preamble alone, a
 *   repeat reaching the answer's end with nothing after it, or a short note about the answer
 *   itself ("That was the end of my answer."), and only once the piece ended; and never when
 *   the answer visibly stops mid-sentence (ends in a word, a comma, a colon): a model that
 *   thinks it is done cannot finish that sentence by silence, so it is rejected. An answer cut
 *   right after a sentence end and met with silence is taken as complete: that is what a
 *   complete answer looks like, and no text tells the two apart.
 * - Prefill with a recognised preamble: the model wrote as in a new turn, so what follows is
 *   judged as a continue turn's would be (no space of its own, the same rejections).
 */
import { HEAD_WINDOW, lineAndSentenceStarts, MIN_START_WORDS, matchAt } from './find-repeat.ts';
import { isCompleteNote, NOTE_HOLD, preambleLength } from './head-chatter.ts';
import { commonPrefix, quote, skipSpace, WORD_CHAR, words } from './text-scan.ts';

export { HEAD_WINDOW } from './find-repeat.ts';

export type ContinuationMode =
  /** The answer was sent as an assistant prefill; `trimmed` is the whitespace cut off its end. */
  | { kind: 'prefill'; trimmed: string }
  /** The answer was sent, then a user turn asking to go on, beginning with `anchor` verbatim. */
  | { kind: 'continue'; anchor: string };

export interface AlignInput {
  /** The text the caller already has in the block being continued. */
  answer: string;
  /** The continuation's text so far. */
  head: string;
  mode: ContinuationMode;
  /** No more text will come in this head (its block or piece ended). */
  ended: boolean;
}

export type Alignment =
  | { kind: 'need_more' }
  /** Forward `join + head.slice(drop)`, then the rest of the piece as it comes. */
  | { kind: 'aligned'; drop: number; join: '' | ' '; how: AlignedHow }
  /** Nothing new: the answer the caller has was already complete. */
  | { kind: 'complete' }
  | { kind: 'unaligned'; reason: string };

export type AlignedHow = 'exact' | 'repeat' | 'preamble_exact' | 'preamble_repeat';

/** Words a repeat after unrecognised text must have. */
const MIN_LATER_WORDS = 5;
const NEED_MORE: Alignment = { kind: 'need_more' };

/** An answer ending like this stops mid-sentence: a word, a comma, a colon, an opening bracket, a dash. */
const UNFINISHED = /[\p{L}\p{N},;:([{“‘\-–—]$/u;
const SENTENCE_END = /[.!?…]["'”’)\]]*$/u;
/** A prefilled turn carries on the token stream: its own whitespace, a word's rest, punctuation. */
const PREFILL_REST = /^(?!\.\.\.|…)[\s\p{Ll}\p{N},;:.!?)\]}%'’”"-]/u;
/** A new turn carrying on a sentence: no quote or ellipsis, which is how models open a repeat ("...staring at"). */
const CONTINUE_REST = /^(?:[\p{Ll}\p{N},;:)\]}%-]|[.!?](?![.…]))/u;
/** Opened before a repeat in a new turn ("...staring at the wall", "\"staring at"): skipped. */
const REPEAT_OPENER = /^(?:\.\.\.|…|["'“‘])+\s*/u;

export function alignContinuation(input: AlignInput): Alignment {
  const { answer, head, mode, ended } = input;
  const core = answer.trimEnd();
  const trailing = answer.slice(core.length);

  if (head.trim() === '') return ended ? nothingNew(core, head) : NEED_MORE;

  if (ended && isCompleteNote(head)) return nothingNew(core, head);
  // An answer that ends a sentence may have been whole (a stream that lost only its stop
  // reason): a short reply may yet turn out to be a note about the answer, not its rest, and
  // after a prefill the two begin alike (" That was the end…" / " The next…"). Held until the
  // piece ends or the head outgrows any such note.
  if (!ended && SENTENCE_END.test(core) && head.trim().length <= NOTE_HOLD) return NEED_MORE;
  const preamble = preambleLength(head, ended);
  if (preamble === undefined) return NEED_MORE;
  let start = skipSpace(head, preamble);
  start += REPEAT_OPENER.exec(head.slice(start))?.[0].length ?? 0;
  if (start >= head.length) return ended ? nothingNew(core, head) : NEED_MORE;
  // "." or ".." may yet be the "..." models open a repeat with.
  if (!ended && /^\.{1,2}$/.test(head.slice(start))) return NEED_MORE;
  if (core === '')
    return withTrailing(head, start, core, trailing, ended, preamble > 0 ? 'preamble_exact' : 'exact');

  // 1. A repeat at the start (after a preamble): the anchor, a restarted sentence, the whole answer.
  const first = matchAt(head, start, core);
  if (first.inProgress && !ended) return NEED_MORE;
  if (first.length > 0) {
    const accepted =
      words(core.slice(-first.length)) >= MIN_START_WORDS ||
      (mode.kind === 'continue' && mode.anchor !== '' && first.length >= mode.anchor.trim().length);
    // A lone repeated last word with nothing after it adds nothing either way: the answer stands.
    if (!accepted && head.slice(start + first.length).trim() === '')
      return ended ? nothingNew(core, head) : NEED_MORE;
    if (!accepted)
      return unaligned(
        `its start repeats only the answer's last word (${quote(core.slice(-first.length))}), which could be a repeat or a doubled word`,
        head,
      );
    return withTrailing(
      head,
      start + first.length,
      core,
      trailing,
      ended,
      preamble > 0 ? 'preamble_repeat' : 'repeat',
    );
  }

  // 2. Nothing repeated at the start: the rest of the answer as it stands?
  if (startsLikeRest(head, start, preamble, core, mode)) {
    if (mode.kind === 'prefill' && preamble === 0) {
      const drop = commonPrefix(head, mode.trimmed);
      return { kind: 'aligned', drop, join: '', how: 'exact' };
    }
    {
      // A new turn, or a prefilled one that chatted first: it restarts the text without a space.
      const space = !/\s$/.test(answer) && WORD_CHAR.test(head[start] ?? '') && !/[-/([{“‘]$/.test(core);
      return {
        kind: 'aligned',
        drop: start,
        join: space ? ' ' : '',
        how: preamble > 0 ? 'preamble_exact' : 'exact',
      };
    }
  }

  // 3. A repeat later in the head's first window, after text that is not the answer.
  let best: { at: number; length: number } | undefined;
  for (const at of lineAndSentenceStarts(head, start)) {
    const m = matchAt(head, at, core);
    if (m.inProgress && !ended) return NEED_MORE;
    if (m.length === 0) continue;
    if (words(core.slice(-m.length)) < MIN_LATER_WORDS) continue;
    if (!best || m.length >= best.length) best = { at, length: m.length };
  }
  if (head.length < HEAD_WINDOW && !ended) return NEED_MORE;
  if (best) return withTrailing(head, best.at + best.length, core, trailing, ended, 'preamble_repeat');

  const expected =
    mode.kind === 'continue' && mode.anchor !== ''
      ? `it to begin with the anchor ${quote(mode.anchor)}`
      : `it to carry on after ${quote(core.slice(-40))}`;
  return unaligned(`expected ${expected}; it neither repeats the answer's end nor reads as its rest`, head);
}

/**
 * The head brought nothing new: the answer was already complete, unless it visibly stops in
 * the middle of a sentence (a model that thinks it is done, or a restart that stopped at the
 * cut), which no silence can finish: that is rejected, never handed over as a whole answer.
 */
function nothingNew(core: string, head: string): Alignment {
  if (core === '' || !UNFINISHED.test(core)) return { kind: 'complete' };
  const why = `it adds nothing, yet the answer stops mid-sentence (${quote(core.slice(-40))}), so it was not complete`;
  return head.trim() === ''
    ? { kind: 'unaligned', reason: `${why} (it sent no text)` }
    : unaligned(why, head);
}

/** Aligned after `at`, skipping what the head repeats of the answer's trailing whitespace; `complete` when nothing new follows. */
function withTrailing(
  head: string,
  at: number,
  core: string,
  trailing: string,
  ended: boolean,
  how: AlignedHow,
): Alignment {
  const drop = at + commonPrefix(head.slice(at), trailing);
  const rest = head.slice(drop);
  if (rest.trim() === '') {
    // Nothing new yet: the join (and whether anything comes) is known only from the next text.
    return ended ? nothingNew(core, head) : NEED_MORE;
  }
  return { kind: 'aligned', drop, join: '', how };
}

function startsLikeRest(
  head: string,
  start: number,
  preamble: number,
  core: string,
  mode: ContinuationMode,
): boolean {
  // A prefilled turn carrying on sends its own whitespace first; a new answer never does. One
  // that chatted first ("Sure, continuing:") carries on as a new turn would.
  if (mode.kind === 'prefill' && preamble === 0) return PREFILL_REST.test(head);
  return (
    start === skipSpace(head, preamble) && !SENTENCE_END.test(core) && CONTINUE_REST.test(head.slice(start))
  );
}

function unaligned(why: string, head: string): Alignment {
  return { kind: 'unaligned', reason: `${why} (it began ${quote(head)})` };
}

/**
 * The anchor a continue turn asks the model to repeat first: the last words of the answer's
 * last line (up to six), verbatim, so that it is a suffix of the answer the aligner can find.
 */
export function chooseAnchor(answer: string, maxWords = 6): string {
  const core = answer.trimEnd();
  const line = core.slice(core.lastIndexOf('\n') + 1);
  const starts = [...line.matchAll(/(?:^|\s)(?=\S)/g)].map((m) => m.index + m[0].length);
  const from = starts[Math.max(0, starts.length - maxWords)] ?? 0;
  return line.slice(from);
}
