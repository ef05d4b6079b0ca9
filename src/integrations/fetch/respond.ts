/**
 * The `Response`s the SDK reads: the provider's own JSON, SSE or error body, with the headers
 * that let its `requestID` and typed errors work, and outlast's account of the call.
 */
import { type OutlastError, toOutlastError } from '../../errors/index.ts';
import type { CanonicalResponse, StreamPart, WireFormat } from '../../wire/canonical/index.ts';
import type { ServerCodec } from '../../wire/codec.ts';

/** What outlast tells the SDK about a call besides the answer. */
export interface AnswerFacts {
  /** Ours, one per call: what the SDK shows as `requestID`. */
  requestId: string;
  /** `provider/model` that answered. */
  answeredBy?: string;
  /** Attempts made, retries and fallbacks included. */
  attempts?: number;
}

// The header each SDK reads into `requestID` (Anthropic `request-id`; OpenAI `x-request-id`).
const REQUEST_ID_HEADER: Readonly<Record<WireFormat, string>> = {
  anthropic: 'request-id',
  openai: 'x-request-id',
  gemini: 'x-request-id',
};

/** The same names the gateway sends, so both entry points read alike. */
function factHeaders(format: WireFormat, facts: AnswerFacts): Record<string, string> {
  const headers: Record<string, string> = {
    [REQUEST_ID_HEADER[format]]: facts.requestId,
    'x-outlast-request-id': facts.requestId,
  };
  if (facts.answeredBy) headers['x-outlast-model'] = facts.answeredBy;
  if (facts.attempts !== undefined) headers['x-outlast-attempts'] = String(facts.attempts);
  return headers;
}

export function jsonAnswer(codec: ServerCodec, response: CanonicalResponse, facts: AnswerFacts): Response {
  const body = JSON.stringify(codec.encodeResponse(response, { model: response.model }));
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'application/json', ...factHeaders(codec.format, facts) },
  });
}

/**
 * An error in the SDK's own wire shape, so its typed error classes work. Always
 * `x-should-retry: false`: outlast has already retried and fallen back, and the SDK retrying
 * on top would multiply attempts (the Stainless SDKs obey the header). The upstream's own
 * request id, when there was one, stays readable in `x-outlast-upstream-request-id`.
 */
export function errorAnswer(codec: ServerCodec, error: OutlastError, facts: AnswerFacts): Response {
  const encoded = codec.encodeError(error.with({ requestId: facts.requestId }));
  const attempts = error.attempts?.length ?? facts.attempts;
  return new Response(encoded.body, {
    status: encoded.status,
    headers: {
      'content-type': 'application/json',
      ...encoded.headers,
      ...factHeaders(codec.format, { ...facts, ...(attempts === undefined ? {} : { attempts }) }),
      ...(error.requestId ? { 'x-outlast-upstream-request-id': error.requestId } : {}),
      'x-should-retry': 'false',
    },
  });
}

export interface StreamAnswerOptions {
  /** The model name the stream reports. */
  model: string;
  includeUsage?: boolean;
  /** The SDK's signal: when it aborts, the body fails as a real fetch body would. */
  signal: AbortSignal;
  /** Called when the SDK stops reading: cancels the engine call, upstream socket included. */
  cancel(reason: unknown): void;
}

/**
 * A streamed answer: the parts encoded as the provider's SSE, pulled as the SDK reads
 * (backpressure reaches the engine). A failure after the commit point goes in-band, as the
 * provider itself would send it; cancelling the body cancels the call.
 */
export function streamAnswer(
  codec: ServerCodec,
  parts: AsyncIterator<StreamPart>,
  options: StreamAnswerOptions,
  facts: AnswerFacts,
): Response {
  const encoder = codec.createStreamEncoder({
    model: options.model,
    ...(options.includeUsage === undefined ? {} : { includeUsage: options.includeUsage }),
  });
  const bytes = new TextEncoder();
  let finished = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (finished) return;
      try {
        // Several parts may encode to nothing (OpenAI has no block stop): pull until there are bytes.
        for (;;) {
          const next = await parts.next();
          if (next.done) {
            finished = true;
            const tail = encoder.end();
            if (tail) controller.enqueue(bytes.encode(tail));
            controller.close();
            return;
          }
          const text = encoder.encode(next.value);
          if (text) {
            controller.enqueue(bytes.encode(text));
            return;
          }
        }
      } catch (error) {
        finished = true;
        if (options.signal.aborted) {
          controller.error(options.signal.reason);
          return;
        }
        controller.enqueue(bytes.encode(codec.encodeStreamError(toOutlastError(error))));
        controller.close();
      }
    },
    cancel(reason) {
      finished = true;
      options.cancel(reason);
      void parts.return?.().catch(() => undefined);
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      ...factHeaders(codec.format, facts),
    },
  });
}
