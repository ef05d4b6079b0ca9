/**
 * What a continuation's head may say that is not the answer: a chatty preamble line ("Sure,
 * continuing from where I left off:"), skipped, and a short note that the answer was already
 * complete ("That was the end of my answer."), which the aligner waits for (the note hold)
 * before it takes a short head after a finished sentence for the answer's rest.
 */
import { skipSpace } from './text-scan.ts';

/** After an answer that ends a sentence, a head this short is held: it may be a note that the answer was complete. */
export const NOTE_HOLD = 160;
/** A recognised preamble line is at most this long. */
const PREAMBLE_MAX = 200;

// Capitalised on purpose: a model opening a new turn with chat capitalises it, while the rest
// of a sentence cut in the middle starts lower-case ("sure, why not" must not be stripped).
const PREAMBLE_OPENING =
  /^(?:Sure|Certainly|Of course|Okay|OK|Ok|Alright|All right|Absolutely|No problem|Got it|Understood|Apologies|Sorry|Here(?:'s|’s| is| are)|Continuing|Let me continue|I(?:'ll|’ll| will) continue|Picking up|Resuming)\b/;
const PREAMBLE_OPENINGS = [
  'Sure',
  'Certainly',
  'Of course',
  'Okay',
  'OK',
  'Alright',
  'All right',
  'Absolutely',
  'No problem',
  'Got it',
  'Understood',
  'Apologies',
  'Sorry',
  "Here's",
  'Here is',
  'Here are',
  'Continuing',
  'Let me continue',
  'I will continue',
  "I'll continue",
  'Picking up',
  'Resuming',
];
/** A preamble line ends at a colon or a line break. */
const PREAMBLE_END = /:[ \t]*\n?|\n/;
/**
 * A short note, and nothing else, saying the answer had ended ("That was the end of my
 * answer."): the answer was complete. It must speak of the answer itself, so that a real last
 * sentence ("That was all.") is never taken for one.
 */
const COMPLETE_NOTE =
  /^(?:[^\n]{0,40}\b)?(?:that|this|it)(?: was|'s|’s| is)(?: already)? (?:the (?:end|whole|entire|full|complete)|all|complete|everything)\b[^\n]{0,30}\b(?:my|the) (?:answer|response|reply)\b[^\n]{0,40}$|^(?:[^\n]{0,40}\b)?(?:my|the) (?:previous |last )?(?:answer|response|reply) (?:was|is) (?:already )?(?:complete|finished|done|whole)\b[^\n]{0,60}$/i;

/** The head, whole, is only a note that the answer had ended. */
export function isCompleteNote(head: string): boolean {
  return COMPLETE_NOTE.test(head.trim());
}

/**
 * How many characters of the head a recognised preamble takes (0 for none; repeated for a
 * preamble of several lines), or undefined while the head may still be one.
 */
export function preambleLength(head: string, ended: boolean): number | undefined {
  let at = 0;
  for (let lines = 0; lines < 3; lines++) {
    const from = skipSpace(head, at);
    const rest = head.slice(from);
    if (!PREAMBLE_OPENING.test(rest)) {
      // "Su" may become "Sure": wait for the word.
      if (!ended && rest.length < 20 && PREAMBLE_OPENINGS.some((p) => p.startsWith(rest) && p !== rest))
        return undefined;
      return at;
    }
    const line = rest.slice(0, PREAMBLE_MAX);
    const end = PREAMBLE_END.exec(line);
    if (!end) {
      if (!ended && rest.length < PREAMBLE_MAX) return undefined;
      return at;
    }
    at = from + end.index + end[0].length;
  }
  return at;
}
