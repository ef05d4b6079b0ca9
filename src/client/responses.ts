/**
 * `client.responses.create()`: the OpenAI Responses API shape on the library's engine. The
 * request is read and the answer written by the Responses codec (src/wire/openai-responses),
 * the translation the gateway's `/v1/responses` uses. A streaming call yields the Responses
 * events as objects; a failure after the first event is an `error` event followed by
 * `response.failed`, as the API sends it.
 */
import { z } from 'zod';
import type { CallOptions, Engine, Trace } from '../engine/index.ts';
import { toOutlastError } from '../errors/index.ts';
import type { JsonObject } from '../wire/canonical/index.ts';
import {
  createResponsesEventBuilder,
  encodeResponsesResponse,
  parseResponsesRequest,
} from '../wire/openai-responses/index.ts';
import { parseWith } from '../wire/shared/validate.ts';
import { type TracedPromise, traced } from './traced-promise.ts';
import type { ResponsesResponse, ResponsesResponseBody, ResponsesStreamEvent } from './types.ts';

/** Responses API params: validated by the Responses codec, not typed in full here. */
export interface ResponseCreateParams {
  model: string;
  input: string | unknown[];
  stream?: boolean | null;
  [field: string]: unknown;
}

export interface ResponsesEventStream extends AsyncIterable<ResponsesStreamEvent> {
  /** Stops the call, upstream included (breaking out of the loop does the same). */
  abort(): void;
  readonly trace: Promise<Trace>;
}

export interface ResponsesApi {
  create(
    params: ResponseCreateParams & { stream: true },
    options?: CallOptions,
  ): TracedPromise<ResponsesEventStream>;
  create(
    params: ResponseCreateParams & { stream?: false | null },
    options?: CallOptions,
  ): TracedPromise<ResponsesResponse>;
}

const outputItem = z.discriminatedUnion('type', [
  z.looseObject({
    id: z.string(),
    type: z.literal('message'),
    status: z.string(),
    role: z.literal('assistant'),
    content: z.array(
      z.looseObject({
        type: z.literal('output_text'),
        text: z.string(),
        annotations: z.array(z.unknown()),
        logprobs: z.array(z.unknown()),
      }),
    ),
  }),
  z.looseObject({
    id: z.string(),
    type: z.literal('function_call'),
    status: z.string(),
    call_id: z.string(),
    name: z.string(),
    arguments: z.string(),
  }),
  z.looseObject({
    id: z.string(),
    type: z.literal('reasoning'),
    status: z.string(),
    summary: z.array(z.looseObject({ type: z.literal('summary_text'), text: z.string() })),
    encrypted_content: z.string().optional(),
  }),
]);

/** What the Responses codec writes, checked to be the Response the type promises. */
const responseSchema: z.ZodType<ResponsesResponseBody> = z.looseObject({
  id: z.string(),
  object: z.literal('response'),
  created_at: z.number(),
  status: z.enum(['completed', 'incomplete', 'failed', 'in_progress']),
  model: z.string(),
  output: z.array(outputItem),
  incomplete_details: z.looseObject({ reason: z.string() }).nullable(),
  error: z.looseObject({ code: z.string(), message: z.string() }).nullable(),
  usage: z
    .looseObject({
      input_tokens: z.number(),
      input_tokens_details: z.looseObject({ cached_tokens: z.number(), cache_write_tokens: z.number() }),
      output_tokens: z.number(),
      output_tokens_details: z.looseObject({ reasoning_tokens: z.number() }),
      total_tokens: z.number(),
    })
    .nullable(),
});

/**
 * The Response the codec wrote, validated rather than cast (one that is not a Response fails
 * as invalid_response, naming the field), with the SDKs' `output_text` convenience: the text
 * of every output message, joined.
 */
function toResponsesResponse(body: JsonObject): ResponsesResponse {
  const response = parseWith(responseSchema, body, { kind: 'invalid_response', what: 'responses answer' });
  let text = '';
  for (const item of response.output)
    if (item.type === 'message') for (const part of item.content) text += part.text;
  return { ...response, output_text: text };
}

export function createResponsesApi(engine: Engine): ResponsesApi {
  function create(params: ResponseCreateParams, options?: CallOptions) {
    let parsed: ReturnType<typeof parseResponsesRequest>;
    try {
      parsed = parseResponsesRequest(params);
    } catch (error) {
      return traced(Promise.reject(error), () => Promise.reject(error));
    }
    const { request, echo } = parsed;
    const call = engine.execute(request, options);
    if (!request.stream) {
      return traced(
        call
          .response()
          .then((r) => toResponsesResponse(encodeResponsesResponse(r, echo, { model: r.model }))),
        () => call.trace,
      );
    }
    const stream: ResponsesEventStream = {
      async *[Symbol.asyncIterator]() {
        const { model } = await call.committed;
        const events = createResponsesEventBuilder(echo, { model });
        try {
          for await (const part of call) yield* events.push(part) as ResponsesStreamEvent[];
        } catch (error) {
          // After the first event the failure is the stream's own, as on the wire.
          yield* events.fail(toOutlastError(error)) as ResponsesStreamEvent[];
        }
      },
      abort: () => call.cancel(),
      trace: call.trace,
    };
    // Resolves at the commit point, like an SDK's stream resolves at the response headers.
    return traced(
      call.committed.then(() => stream),
      () => call.trace,
    );
  }
  return { create: create as ResponsesApi['create'] };
}
