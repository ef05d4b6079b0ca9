/**
 * A hand-written check that one Chat Completions body fits `completionSchema`, for the
 * non-streaming hot path: zod costs more per answer than the decoding after it. It only ever
 * says yes for a body zod accepts unchanged (the schema has no transforms or defaults, so
 * zod's output is a copy of the body); anything it doubts goes to the schema, which accepts
 * or refuses with its own message, so what is accepted and every error message stay the same.
 */
import { isPlainObject as isObject } from '../shared/is-plain-object.ts';
import type { RawCompletion } from './response-schema.ts';

/** undefined, null or a string. */
function nullishString(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
}

function fitsToolCall(call: unknown): boolean {
  if (!isObject(call) || typeof call.id !== 'string') return false;
  if (call.type !== undefined && call.type !== 'function') return false;
  const fn = call.function;
  return isObject(fn) && typeof fn.name === 'string' && nullishString(fn.arguments);
}

function fitsChoice(choice: unknown): boolean {
  if (!isObject(choice)) return false;
  if (choice.index !== undefined && !(typeof choice.index === 'number' && Number.isFinite(choice.index)))
    return false;
  if (!nullishString(choice.finish_reason)) return false;
  const message = choice.message;
  if (!isObject(message)) return false;
  if (message.role !== undefined && typeof message.role !== 'string') return false;
  if (!nullishString(message.content) || !nullishString(message.refusal)) return false;
  if (!nullishString(message.reasoning_content)) return false;
  const calls = message.tool_calls;
  if (calls === undefined || calls === null) return true;
  if (!Array.isArray(calls)) return false;
  for (const call of calls) if (!fitsToolCall(call)) return false;
  return true;
}

/** True only when `completionSchema` surely accepts `body` as it is. */
export function fitsCompletion(body: unknown): body is RawCompletion {
  if (!isObject(body) || typeof body.id !== 'string' || typeof body.model !== 'string') return false;
  const usage = body.usage;
  if (usage !== undefined && usage !== null && !isObject(usage)) return false;
  const choices = body.choices;
  if (!Array.isArray(choices) || choices.length === 0) return false;
  for (const choice of choices) if (!fitsChoice(choice)) return false;
  return true;
}
