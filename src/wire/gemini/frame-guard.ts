/**
 * A cheap check that a streamed Gemini frame certainly fits `responseSchema`, for the frames
 * nearly every stream is made of (text, thoughts, signatures, usage). It answers only "fits"
 * or "let zod decide": anything else (a function call, inline data, a wrong type) goes to the
 * schema, so what is accepted and every error message stay exactly the schema's.
 */
import { isPlainObject as isObject } from '../shared/is-plain-object.ts';

const optionalString = (value: unknown) => value === undefined || typeof value === 'string';
const optionalNumber = (value: unknown) => value === undefined || typeof value === 'number';

const USAGE_NUMBERS = [
  'promptTokenCount',
  'candidatesTokenCount',
  'totalTokenCount',
  'cachedContentTokenCount',
  'thoughtsTokenCount',
  'toolUsePromptTokenCount',
] as const;

/** Only the part fields that need no deeper schema; any other known field sends the frame to zod. */
const DEEP_PART_FIELDS = ['inlineData', 'fileData', 'functionCall', 'functionResponse'] as const;

function simplePart(part: unknown): boolean {
  if (!isObject(part)) return false;
  for (const key of DEEP_PART_FIELDS) if (part[key] !== undefined) return false;
  return (
    optionalString(part.text) &&
    (part.thought === undefined || typeof part.thought === 'boolean') &&
    optionalString(part.thoughtSignature)
  );
}

function simpleCandidate(candidate: unknown): boolean {
  if (!isObject(candidate)) return false;
  if (!optionalString(candidate.finishReason) || !optionalNumber(candidate.index)) return false;
  const content = candidate.content;
  if (content === undefined) return true;
  if (!isObject(content) || !optionalString(content.role)) return false;
  const parts = content.parts;
  if (parts === undefined) return true;
  if (!Array.isArray(parts)) return false;
  for (const part of parts) if (!simplePart(part)) return false;
  return true;
}

/** True only when `responseSchema` would accept `frame` as it is. */
export function fitsResponseSchema(frame: unknown): boolean {
  if (!isObject(frame)) return false;
  if (!optionalString(frame.modelVersion) || !optionalString(frame.responseId)) return false;
  const feedback = frame.promptFeedback;
  if (feedback !== undefined && (!isObject(feedback) || !optionalString(feedback.blockReason))) return false;
  const usage = frame.usageMetadata;
  if (usage !== undefined) {
    if (!isObject(usage)) return false;
    for (const key of USAGE_NUMBERS) if (!optionalNumber(usage[key])) return false;
  }
  const candidates = frame.candidates;
  if (candidates === undefined) return true;
  if (!Array.isArray(candidates)) return false;
  for (const candidate of candidates) if (!simpleCandidate(candidate)) return false;
  return true;
}
