/**
 * Client side: the request a Responses API caller sent, for an upstream that is OpenAI's own
 * Responses API (`responses: true`): the body as it came (`previous_response_id`, `store`,
 * `include`, hosted tools and every field outlast does not model), the target's model and the
 * engine's choice of streaming written over it, the caller's `openai-beta` header kept.
 */
import type { CanonicalRequest, JsonObject } from '../canonical/index.ts';
import type { UpstreamRequestSpec } from '../codec.ts';
import { badRequest } from '../shared/validate.ts';

export function encodeResponsesUpstreamRequest(
  request: CanonicalRequest,
  options: { model: string; stream: boolean },
): UpstreamRequestSpec {
  const origin = request.origin;
  if (origin?.dialect !== 'openai-responses')
    throw badRequest('', 'only a Responses API request goes to a Responses API upstream as it came');
  const body: JsonObject = { ...origin.body, model: options.model };
  if (options.stream) body.stream = true;
  else if (body.stream !== undefined) body.stream = false;
  const headers = request.clientHeaders?.format === 'openai' ? { ...request.clientHeaders.headers } : {};
  return { path: '/responses', body, headers };
}
