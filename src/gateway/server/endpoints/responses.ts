/**
 * `POST /v1/responses`, the OpenAI Responses API: served like the other model calls (the
 * engine, every policy, stream recovery), translated to whatever format the route's targets
 * speak. Its codec is made per request because a Response repeats the request's parameters.
 */
import { createResponsesServerCodec } from '../../../wire/openai-responses/index.ts';
import { createDialect, type Dialect } from '../dialect.ts';

export const RESPONSES_PATH = '/v1/responses';

/** The dialect of one Responses API call: OpenAI's errors and request-id header, the Responses codec. */
export function responsesDialect(): Dialect {
  return createDialect('openai', createResponsesServerCodec());
}
