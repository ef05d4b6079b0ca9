/**
 * Deterministic answer text: the same key (seed, model, prompt) always yields the same
 * tokens. A token is one word with its leading space and trailing punctuation, which is
 * close enough to real tokenisers (~1.3 tokens a word) for usage counts to look right and
 * makes "N tokens" in a fault mean N visible deltas.
 */
import { createSeededRandom } from '../policy/seeded-random.ts';
import { hash32 } from './hash.ts';

export const WORDS = (
  'the a of to and in that is for it as with on be by this are at from or an was have not which ' +
  'system request answer model stream token provider retry budget timeout failure route target ' +
  'latency window signal breaker cooldown fallback gateway client server header body chunk event ' +
  'message block delta usage limit rate hint jitter backoff deadline attempt phase probe state ' +
  'simple careful quick steady reliable partial complete early late small large clear useful ' +
  'works keeps returns sends reads writes waits opens closes counts checks moves starts stops ' +
  'every each some many most few other same next last first second third final whole ' +
  'because when while after before until unless though so then also only still just even ' +
  'data value result record field option config path queue pool socket buffer frame line ' +
  'user team service network cluster region zone instance node process thread worker job ' +
  'measured expected observed reported recovered delayed dropped retried answered finished'
).split(' ');

const SENTENCE_MIN = 6;
const SENTENCE_SPAN = 10;

export interface GeneratedText {
  tokens: string[];
  text: string;
}

/** `count` tokens of sentence-like text fixed by `key`. */
export function generateTokens(key: string, count: number): GeneratedText {
  const random = createSeededRandom(hash32(key));
  const tokens: string[] = [];
  let left = 0;
  for (let i = 0; i < count; i++) {
    const startOfSentence = left === 0;
    if (startOfSentence) left = SENTENCE_MIN + Math.floor(random() * SENTENCE_SPAN);
    let word = WORDS[Math.floor(random() * WORDS.length)]!;
    if (startOfSentence) word = word[0]!.toUpperCase() + word.slice(1);
    left--;
    // The answer's last token always closes its sentence so complete answers read complete.
    if (left === 0 || i === count - 1) {
      word += '.';
      left = 0;
    } else if (random() < 0.08) {
      word += ',';
    }
    tokens.push(i === 0 ? word : ` ${word}`);
  }
  return { tokens, text: tokens.join('') };
}

/** A natural answer length in [min, max], fixed by `key`. */
export function naturalLength(key: string, range: readonly [number, number]): number {
  const [min, max] = range;
  if (max <= min) return min;
  return min + (hash32(`len\u0000${key}`) % (max - min + 1));
}

/**
 * Splits `tokens` after the first `chars` characters: the remaining tokens, where the first
 * is the rest of a token cut in the middle. Undefined when `chars` is past the end.
 */
export function tokensAfter(tokens: readonly string[], chars: number): string[] | undefined {
  let offset = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (offset + token.length > chars) {
      const head = token.slice(chars - offset);
      return [head, ...tokens.slice(i + 1)];
    }
    offset += token.length;
  }
  return offset === chars ? [] : undefined;
}

/** The index of the token that starts at or before `chars`, aligned to token starts. */
export function tokenStartAtOrBefore(
  tokens: readonly string[],
  chars: number,
): { index: number; offset: number } {
  let offset = 0;
  for (let i = 0; i < tokens.length; i++) {
    const next = offset + tokens[i]!.length;
    if (next > chars) return { index: i, offset };
    offset = next;
  }
  return { index: tokens.length, offset };
}
