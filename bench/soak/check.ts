/**
 * Judges one call against the fault-free answer: `complete` (text byte for byte, every tool
 * call's name and parsed input, the stop reason), `typed_error` (the dialect's error, after
 * nothing but a prefix of the answer), `untyped_failure` (a broken answer, a connection
 * error or the harness deadline, after a prefix at most), or `altered`: the caller was given
 * something that is not the answer: a well-formed success whose content differs (truncated,
 * stitched wrongly, another answer), or text that is no prefix of the answer before an error.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ExpectedAnswer } from '../../src/testing/index.ts';
import type { Received } from './read-answer.ts';
import type { Dialect } from './requests.ts';

export type Verdict = 'complete' | 'typed_error' | 'untyped_failure' | 'altered';

export interface Judgement {
  verdict: Verdict;
  /** Why, for every verdict but `complete`. */
  detail?: string;
}

const STOP_WORDS: Record<Dialect, Record<string, string>> = {
  anthropic: {
    end_turn: 'end_turn',
    tool_use: 'tool_use',
    max_tokens: 'max_tokens',
    stop_sequence: 'stop_sequence',
  },
  openai: { end_turn: 'stop', tool_use: 'tool_calls', max_tokens: 'length', stop_sequence: 'stop' },
};

/** Where two strings first differ, for a report line. */
export function firstDifference(got: string, want: string): string {
  let i = 0;
  while (i < got.length && i < want.length && got[i] === want[i]) i++;
  const around = (s: string) => JSON.stringify(s.slice(Math.max(0, i - 30), i + 50));
  return `at char ${i} of ${got.length} (expected ${want.length}): got ${around(got)}, expected ${around(want)}`;
}

/** `got` is the `dialect` answer read back; `expected` the mock's fault-free answer to the same request. */
export function judge(dialect: Dialect, got: Received, expected: ExpectedAnswer): Judgement {
  const prefixOk = expected.text.startsWith(got.text);
  const toolsSoFarOk = got.toolCalls.every((c, i) => {
    const want = expected.toolCalls[i];
    // A call still open when the error came (unparseable so far) is not yet an answer.
    return (
      c.input === undefined ||
      (want !== undefined && c.name === want.name && isDeepStrictEqual(c.input, want.input))
    );
  });
  if (got.outcome !== 'answer') {
    if (!prefixOk)
      return {
        verdict: 'altered',
        detail: `wrong text before the ${got.outcome}: ${firstDifference(got.text, expected.text)}`,
      };
    if (!toolsSoFarOk) return { verdict: 'altered', detail: `a wrong tool call before the ${got.outcome}` };
    if (got.outcome === 'typed_error')
      return {
        verdict: 'typed_error',
        detail: `${got.status} ${got.error?.type}${got.error?.inStream ? ' (in stream)' : ''}: ${got.error?.message}`,
      };
    return { verdict: 'untyped_failure', detail: got.problem };
  }
  if (got.text !== expected.text)
    return { verdict: 'altered', detail: `text ${firstDifference(got.text, expected.text)}` };
  if (got.toolCalls.length !== expected.toolCalls.length)
    return {
      verdict: 'altered',
      detail: `${got.toolCalls.length} tool calls, expected ${expected.toolCalls.length}`,
    };
  for (const [i, call] of got.toolCalls.entries()) {
    const want = expected.toolCalls[i]!;
    if (call.name !== want.name)
      return { verdict: 'altered', detail: `tool call ${i} is ${call.name}, expected ${want.name}` };
    if (call.input === undefined)
      return {
        verdict: 'altered',
        detail: `tool call ${i}'s arguments do not parse: ${call.raw.slice(0, 80)}`,
      };
    if (!isDeepStrictEqual(call.input, want.input))
      return {
        verdict: 'altered',
        detail: `tool call ${i}'s input ${JSON.stringify(call.input)}, expected ${JSON.stringify(want.input)}`,
      };
  }
  const wantStop = STOP_WORDS[dialect][expected.stopReason] ?? expected.stopReason;
  if (got.stopReason !== wantStop)
    return { verdict: 'altered', detail: `stop reason ${got.stopReason}, expected ${wantStop}` };
  return { verdict: 'complete' };
}
