/**
 * Where a continuation's head repeats the end of the answer: from a given start (the head's
 * own, or a line or sentence start inside its first window), the longest suffix of the answer
 * that begins at a word, and whether a longer one may yet come.
 */
import { endsWord, isWordStart, words } from './text-scan.ts';

/** How far into the head a preamble and a repeat after it are looked for. */
export const HEAD_WINDOW = 600;
/** Words a repeat at the head's start must have (unless it is the whole anchor of a continue turn). */
export const MIN_START_WORDS = 2;
/** Length of the probe used to find where in the answer a repeat may start. */
const SEED = 24;

export interface Match {
  /** Length of the longest answer suffix (starting at a word) the head repeats from `at`; 0 for none. */
  length: number;
  /** The head from `at` is still a proper prefix of such a suffix: a longer repeat may yet come. */
  inProgress: boolean;
}

export function matchAt(head: string, at: number, core: string): Match {
  const rest = head.length - at;
  let length = 0;
  const seed = head.slice(at, at + SEED);
  // Repeats at least as long as the seed: where the seed occurs in the answer.
  for (let j = core.indexOf(seed); j >= 0 && core.length - j >= seed.length; j = core.indexOf(seed, j + 1)) {
    if (isWordStart(core, j) && head.startsWith(core.slice(j), at)) {
      length = core.length - j;
      break;
    }
  }
  // Shorter ones: the answer ends with the start of the seed.
  if (length === 0) {
    for (let k = Math.min(seed.length - 1, core.length); k > 0; k--) {
      if (core.endsWith(seed.slice(0, k)) && isWordStart(core, core.length - k)) {
        length = k;
        break;
      }
    }
  }
  // A one-word repeat must end where the word ends, or "the" would match the start of "theatre";
  // a longer one may end inside a word: a model repeating "was star" completes it as "was staring".
  if (length > 0 && words(core.slice(-length)) < MIN_START_WORDS && !endsWord(head, at + length)) length = 0;
  let inProgress = false;
  if (rest < core.length) {
    const needle = head.slice(at);
    for (let j = core.indexOf(needle); j >= 0; j = core.indexOf(needle, j + 1)) {
      if (j + rest < core.length && isWordStart(core, j)) {
        inProgress = true;
        break;
      }
    }
  }
  return { length, inProgress };
}

/** Where a line or a sentence starts in the head's first window, after `from`. */
export function* lineAndSentenceStarts(head: string, from: number): Generator<number> {
  const window = head.slice(0, HEAD_WINDOW);
  const boundary = /(?:\n|[.!?:…]["'”’)\]]*[ \t]+)\s*/gu;
  boundary.lastIndex = from;
  for (let m = boundary.exec(window); m; m = boundary.exec(window)) {
    const at = m.index + m[0].length;
    if (at > from && at < head.length) yield at;
  }
}
