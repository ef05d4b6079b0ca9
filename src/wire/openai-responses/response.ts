/** Server side: a whole canonical answer → the Responses API's `Response` object. */
import type { CanonicalResponse, JsonObject } from '../canonical/index.ts';
import { encodeResponsesUsage, endingOf, outputItems, responseIdOf, responseObject } from './output-items.ts';
import type { ResponsesEcho } from './parse-request.ts';

export function encodeResponsesResponse(
  response: CanonicalResponse,
  echo: ResponsesEcho,
  options: { model: string; createdAt?: number },
): JsonObject {
  // A Responses API upstream's own Response, for its caller unchanged.
  if (response.verbatim?.dialect === 'openai-responses') return response.verbatim.body;
  const id = responseIdOf(response.id);
  const { status, incompleteDetails } = endingOf(response.stopReason, false);
  return responseObject(echo, {
    id,
    model: options.model,
    createdAt: options.createdAt ?? Math.floor(Date.now() / 1000),
    status,
    incompleteDetails,
    output: outputItems(id, response.content),
    usage: encodeResponsesUsage(response.usage),
  });
}
