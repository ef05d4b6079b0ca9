/**
 * A hand-written structural check of one Chat Completions stream chunk: the fields the stream
 * decoder reads, with the types `chunkSchema` allows. zod costs too much per SSE event on the
 * hot path; this names the first field that is wrong, and the decoder then reads the parsed
 * object as it is (`RawChunk`), without zod's copy.
 */
import { isPlainObject as isObject } from '../shared/is-plain-object.ts';

function isIndex(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** undefined, null or a string. */
function nullishString(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
}

function checkToolCall(call: unknown, path: string): string | undefined {
  if (!isObject(call)) return `${path}: expected object`;
  if (call.index !== undefined && !isIndex(call.index))
    return `${path}.index: expected a non-negative integer`;
  if (!nullishString(call.id)) return `${path}.id: expected string`;
  if (!nullishString(call.type)) return `${path}.type: expected string`;
  const fn = call.function;
  if (fn === undefined || fn === null) return undefined;
  if (!isObject(fn)) return `${path}.function: expected object`;
  if (!nullishString(fn.name)) return `${path}.function.name: expected string`;
  if (!nullishString(fn.arguments)) return `${path}.function.arguments: expected string`;
  return undefined;
}

const DELTA_STRINGS = ['role', 'content', 'refusal', 'reasoning_content'] as const;

function checkChoice(choice: unknown, path: string): string | undefined {
  if (!isObject(choice)) return `${path}: expected object`;
  if (!isIndex(choice.index)) return `${path}.index: expected a non-negative integer`;
  if (!nullishString(choice.finish_reason)) return `${path}.finish_reason: expected string`;
  const delta = choice.delta;
  if (delta === undefined || delta === null) return undefined;
  if (!isObject(delta)) return `${path}.delta: expected object`;
  for (const key of DELTA_STRINGS) {
    if (!nullishString(delta[key])) return `${path}.delta.${key}: expected string`;
  }
  const calls = delta.tool_calls;
  if (calls === undefined || calls === null) return undefined;
  if (!Array.isArray(calls)) return `${path}.delta.tool_calls: expected array`;
  for (let i = 0; i < calls.length; i++) {
    const wrong = checkToolCall(calls[i], `${path}.delta.tool_calls.${i}`);
    if (wrong) return wrong;
  }
  return undefined;
}

/** The path and reason of the first field that does not fit, or undefined when the chunk is readable. */
export function chunkProblem(json: unknown): string | undefined {
  if (!isObject(json)) return 'expected an object';
  if (json.id !== undefined && typeof json.id !== 'string') return 'id: expected string';
  if (json.model !== undefined && typeof json.model !== 'string') return 'model: expected string';
  const usage = json.usage;
  if (usage !== undefined && usage !== null && !isObject(usage)) return 'usage: expected object';
  const choices = json.choices;
  if (choices === undefined) return undefined;
  if (!Array.isArray(choices)) return 'choices: expected array';
  for (let i = 0; i < choices.length; i++) {
    const wrong = checkChoice(choices[i], `choices.${i}`);
    if (wrong) return wrong;
  }
  return undefined;
}
