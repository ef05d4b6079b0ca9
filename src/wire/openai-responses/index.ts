/**
 * The OpenAI Responses API (`POST /v1/responses`), server side: requests translated to the
 * canonical model (and from it to any upstream format), answers written as a `Response` object
 * or its event stream. A Response repeats the request's parameters, so the codec is made per
 * request: `createResponsesServerCodec()` remembers what it decoded to echo it back.
 */
import type { OutlastError } from '../../errors/index.ts';
import type { CanonicalRequest } from '../canonical/index.ts';
import type { ServerCodec, StreamEncoder } from '../codec.ts';
import { encodeOpenaiError } from '../openai/errors.ts';
import { formatSse, formatSseComment } from '../shared/index.ts';
import { parseResponsesRequest, type ResponsesEcho } from './parse-request.ts';
import { encodeResponsesResponse } from './response.ts';
import { createResponsesEventBuilder, type ResponsesEventBuilder } from './stream-events.ts';

/** The events as SSE: OpenAI names each frame with `event: <type>` as well as the `type` field. */
export function frameResponsesEvents(events: ReadonlyArray<{ type?: unknown }>): string {
  let text = '';
  for (const event of events) text += formatSse(JSON.stringify(event), String(event.type));
  return text;
}

const NO_ECHO: ResponsesEcho = {
  instructions: null,
  maxOutputTokens: null,
  metadata: {},
  parallelToolCalls: true,
  reasoning: { effort: null, summary: null },
  temperature: null,
  text: { format: { type: 'text' } },
  toolChoice: 'auto',
  tools: [],
  topP: null,
  user: null,
  store: false,
};

/** A server codec for one Responses API request (errors are OpenAI's, as its SDKs expect). */
export function createResponsesServerCodec(): ServerCodec {
  let echo: ResponsesEcho = NO_ECHO;
  let builder: ResponsesEventBuilder | undefined;
  let model = '';
  return {
    format: 'openai',
    decodeRequest(body): CanonicalRequest {
      const parsed = parseResponsesRequest(body);
      echo = parsed.echo;
      return parsed.request;
    },
    encodeResponse: (response, options) => encodeResponsesResponse(response, echo, options),
    createStreamEncoder(options): StreamEncoder {
      model = options.model;
      const events = createResponsesEventBuilder(echo, { model });
      builder = events;
      return {
        encode: (part) => frameResponsesEvents(events.push(part)),
        end: () => '',
        keepAlive: () => formatSseComment('keep-alive'),
      };
    },
    encodeError: encodeOpenaiError,
    encodeStreamError(error: OutlastError): string {
      builder ??= createResponsesEventBuilder(echo, { model });
      return frameResponsesEvents(builder.fail(error));
    },
  };
}

export { type ParsedResponsesRequest, parseResponsesRequest, type ResponsesEcho } from './parse-request.ts';
export { encodeResponsesResponse } from './response.ts';
export { createResponsesEventBuilder, type ResponsesEventBuilder } from './stream-events.ts';
