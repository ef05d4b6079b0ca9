/**
 * The OpenAI Responses API (`POST /v1/responses`), server side: requests translated to the
 * canonical model (and from it to any upstream format), answers written as a `Response` object
 * or its event stream. A Response repeats the request's parameters, so the codec is made per
 * request: `createResponsesServerCodec()` remembers what it decoded to echo it back.
 */
import type { OutlastError } from '../../errors/index.ts';
import type { CanonicalRequest } from '../canonical/index.ts';
import type { ClientCodec, ServerCodec, StreamEncoder } from '../codec.ts';
import { decodeOpenaiError, encodeOpenaiError, openaiRequestIdOf } from '../openai/errors.ts';
import { formatSse, formatSseComment } from '../shared/index.ts';
import { parseResponsesRequest, type ResponsesEcho } from './parse-request.ts';
import { encodeResponsesResponse } from './response.ts';
import { createResponsesEventBuilder, type ResponsesEventBuilder } from './stream-events.ts';
import { encodeResponsesUpstreamRequest } from './upstream-request.ts';
import { decodeResponsesUpstreamResponse } from './upstream-response.ts';
import { createResponsesUpstreamDecoder } from './upstream-stream.ts';

/**
 * The client side, for an `openai` provider with `responses: true`: a Responses API request
 * goes as it came and its answer comes back verbatim (plus the canonical parts the engine
 * reads). Errors and request ids are OpenAI's.
 */
export const responsesClientCodec: ClientCodec = {
  format: 'openai',
  authHeaders: (apiKey): Record<string, string> => (apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
  encodeRequest: encodeResponsesUpstreamRequest,
  decodeResponse: decodeResponsesUpstreamResponse,
  createStreamDecoder: createResponsesUpstreamDecoder,
  decodeError: decodeOpenaiError,
  requestIdOf: openaiRequestIdOf,
};

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
  previousResponseId: null,
};

/**
 * A server codec for one Responses API request (errors are OpenAI's, as its SDKs expect).
 * `stored`: the server keeps its answers as OpenAI does (the mock provider), so a Response
 * echoes `store` (true unless the request said false) and `previous_response_id`; the
 * gateway's translated answers are stored nowhere and say so.
 */
export function createResponsesServerCodec(options: { stored?: boolean } = {}): ServerCodec {
  let echo: ResponsesEcho = NO_ECHO;
  let builder: ResponsesEventBuilder | undefined;
  let model = '';
  return {
    format: 'openai',
    decodeRequest(body): CanonicalRequest {
      const parsed = parseResponsesRequest(body);
      echo = parsed.echo;
      if (options.stored) {
        const previous = (body as { previous_response_id?: unknown }).previous_response_id;
        echo = {
          ...echo,
          store: (body as { store?: unknown }).store !== false,
          previousResponseId: typeof previous === 'string' ? previous : null,
        };
      }
      return parsed.request;
    },
    encodeResponse: (response, options) => encodeResponsesResponse(response, echo, options),
    createStreamEncoder(options): StreamEncoder {
      model = options.model;
      const events = createResponsesEventBuilder(echo, { model });
      builder = events;
      return {
        // An upstream Responses event goes out as it came, byte for byte.
        encode: (part) =>
          part.type === 'verbatim'
            ? events.noteVerbatim(part)
              ? formatSse(part.data, part.event)
              : ''
            : frameResponsesEvents(events.push(part)),
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
