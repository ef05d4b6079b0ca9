/** The non-stream GenerateContentResponse, both ways. */
import { describeFirstIssue } from '../../errors/zod-issues.ts';
import type { CanonicalResponse, JsonObject } from '../canonical/index.ts';
import { historyCallId, responseCallId, shortHash } from './call-ids.ts';
import { decodeParts } from './decode-parts.ts';
import { encodeParts } from './encode-parts.ts';
import { invalidResponse } from './errors.ts';
import { keep, mergeKept, nest, ownFields, unknownOf } from './passthrough.ts';
import { type GeminiPart, responseSchema } from './schemas.ts';
import { finishReasonOf, stopReasonOf } from './stop-reason.ts';
import { usageMetadataOf, usageOf } from './usage.ts';

/*
 * Response passthrough fields are laid out as `{ response, candidate, usageMetadata }`: the
 * unknown fields of each level (promptFeedback, safetyRatings, promptTokensDetails…), and the
 * raw finishReason when the canonical stop reason would not say it back (RECITATION, OTHER).
 */

const RESPONSE_KEYS = ['candidates', 'usageMetadata', 'modelVersion', 'responseId'];
const USAGE_KEYS = [
  'promptTokenCount',
  'candidatesTokenCount',
  'totalTokenCount',
  'cachedContentTokenCount',
  'thoughtsTokenCount',
];

function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

/** Ids for function calls in an answer, stable for the same answer. */
export function createResponseCallIds(seed: string): (call: { id?: string }) => string {
  let ordinal = 0;
  return (call) => call.id ?? responseCallId(seed, ordinal++);
}

export function decodeResponse(body: unknown): CanonicalResponse {
  const parsed = responseSchema.safeParse(body);
  if (!parsed.success)
    throw invalidResponse(`not a GenerateContentResponse (${describeFirstIssue(parsed.error)})`);
  const res = parsed.data;
  const candidate = res.candidates?.[0];
  if (!candidate && !res.promptFeedback)
    throw invalidResponse('response has neither candidates nor promptFeedback');
  const parts = candidate?.content?.parts ?? [];
  const callId = createResponseCallIds(res.responseId ?? JSON.stringify(parts));
  const content = decodeParts(parts, {
    path: 'candidates.0.content.parts',
    callIdOf: callId,
    answeredIdOf: (response, i) => response.id ?? historyCallId(0, i),
  });
  const calledTools = content.some((b) => b.type === 'tool_use');
  const stopReason = stopReasonOf(
    candidate?.finishReason ?? (res.promptFeedback ? 'SAFETY' : undefined),
    calledTools,
  );

  let candidateKept = candidate ? unknownOf(candidate, ['content', 'finishReason', 'index']) : undefined;
  if (candidate?.content)
    candidateKept = nest(candidateKept, 'content', unknownOf(candidate.content, ['role', 'parts']));
  if (candidate?.finishReason !== undefined && candidate.finishReason !== finishReasonOf(stopReason))
    candidateKept = { ...candidateKept, finishReason: candidate.finishReason };
  let kept = nest(undefined, 'response', unknownOf(res, RESPONSE_KEYS));
  kept = nest(kept, 'candidate', candidateKept);
  kept = nest(
    kept,
    'usageMetadata',
    res.usageMetadata ? unknownOf(res.usageMetadata, USAGE_KEYS) : undefined,
  );

  return {
    id: res.responseId ?? `gemini_${shortHash(JSON.stringify(body))}`,
    model: res.modelVersion ?? '',
    content,
    stopReason,
    usage: usageOf(res.usageMetadata),
    ...keep(kept),
  };
}

export function encodeResponse(response: CanonicalResponse, options: { model: string }): unknown {
  const kept = ownFields(response.passthrough);
  const responseKept = asObject(kept?.['response']);
  const usageKept = asObject(kept?.['usageMetadata']);
  const parts: GeminiPart[] = encodeParts(response.content, {
    path: 'content',
    nameOfCall: () => undefined,
    trustSignatures: true,
  });
  const candidate = mergeKept(
    {
      ...(parts.length > 0 ? { content: { parts, role: 'model' } } : {}),
      finishReason: finishReasonOf(response.stopReason),
      index: 0,
    },
    asObject(kept?.['candidate']),
  );
  const toolUsePrompt = usageKept?.['toolUsePromptTokenCount'];
  const usageMetadata = mergeKept(
    usageMetadataOf(response.usage, typeof toolUsePrompt === 'number' ? toolUsePrompt : 0),
    usageKept,
  );
  // A prompt Gemini blocked has no candidate at all, only promptFeedback.blockReason.
  const blockedPrompt = parts.length === 0 && asObject(responseKept?.['promptFeedback'])?.['blockReason'];
  const body = {
    ...(blockedPrompt ? {} : { candidates: [candidate] }),
    usageMetadata,
    modelVersion: options.model,
    responseId: response.id,
  };
  return mergeKept(body, responseKept);
}
