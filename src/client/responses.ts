/**
 * `client.responses.create()`: the OpenAI Responses API shape on the library's engine. The
 * request is read and the answer written by the Responses codec (src/wire/openai-responses),
 * the translation the gateway's `/v1/responses` uses. A streaming call yields the Responses
 * events as objects; a failure after the first event is an `error` event followed by
 * `response.failed`, as the API sends it.
 */
import type { CallOptions, Engine, Trace } from '../engine/index.ts';
import { toOutlastError } from '../errors/index.ts';
import type { JsonObject } from '../wire/canonical/index.ts';
import {
  createResponsesEventBuilder,
  encodeResponsesResponse,
  parseResponsesRequest,
} from '../wire/openai-responses/index.ts';
import { type TracedPromise, traced } from './traced-promise.ts';
import type { ResponsesResponse, ResponsesStreamEvent } from './types.ts';

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

/** Adds the SDKs' `output_text` convenience: the text of every output message, joined. */
function withOutputText(response: JsonObject): ResponsesResponse {
  const output = (response.output ?? []) as ResponsesResponse['output'];
  let text = '';
  for (const item of output) if (item.type === 'message') for (const part of item.content) text += part.text;
  return { ...(response as unknown as ResponsesResponse), output_text: text };
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
        call.response().then((r) => withOutputText(encodeResponsesResponse(r, echo, { model: r.model }))),
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
