/**
 * A call's answer as plain data (status, headers, a JSON body or an SSE body) that an entry
 * point writes out: the gateway onto a node:http response, `outlast/fetch` into a `Response`.
 * The headers every entry point sends are built here, once.
 */
import type { OutlastError } from '../errors/index.ts';
import type { CanonicalResponse, WireFormat } from '../wire/canonical/index.ts';
import type { ServerCodec } from '../wire/codec.ts';
import { REQUEST_ID_HEADERS } from '../wire/index.ts';
import type { SseBody } from './sse-body.ts';

/** What outlast tells the client about a call besides the answer. */
export interface CallFacts {
  /** Ours, one per call: what the client's SDK shows as `requestID`. */
  readonly requestId: string;
  /** `provider/model` that answered. */
  readonly answeredBy?: string;
  /** Attempts made, retries and fallbacks included. */
  readonly attempts?: number;
}

export type ServedAnswer =
  /** A whole JSON body: the answer, or an error (`error` set) in the dialect's own shape. */
  | {
      readonly kind: 'json';
      readonly status: number;
      readonly headers: Record<string, string>;
      readonly body: string;
      readonly error?: OutlastError;
    }
  /** A 200 whose body is the dialect's SSE; a failure after it goes in-band. */
  | {
      readonly kind: 'stream';
      readonly status: 200;
      readonly headers: Record<string, string>;
      readonly body: SseBody;
    }
  /** The client went away (its signal aborted) before there was anything to send. */
  | { readonly kind: 'aborted'; readonly reason: unknown };

/** The request id under the SDK's own header and outlast's, the target that answered, the attempts. */
export function factHeaders(format: WireFormat, facts: CallFacts): Record<string, string> {
  const headers: Record<string, string> = {
    [REQUEST_ID_HEADERS[format]]: facts.requestId,
    'x-outlast-request-id': facts.requestId,
  };
  if (facts.answeredBy !== undefined) headers['x-outlast-model'] = facts.answeredBy;
  if (facts.attempts !== undefined) headers['x-outlast-attempts'] = String(facts.attempts);
  return headers;
}

export function jsonAnswer(codec: ServerCodec, response: CanonicalResponse, facts: CallFacts): ServedAnswer {
  return {
    kind: 'json',
    status: 200,
    headers: { 'content-type': 'application/json', ...factHeaders(codec.format, facts) },
    body: JSON.stringify(codec.encodeResponse(response, { model: response.model })),
  };
}

/**
 * An error in the dialect's own status and body, so the client's typed error classes work.
 * The upstream's own request id, when there was one, stays readable in
 * `x-outlast-upstream-request-id`; `extraHeaders` go last (e.g. `allow` on a 405).
 */
export function errorAnswer(
  codec: ServerCodec,
  error: OutlastError,
  facts: CallFacts,
  extraHeaders?: Record<string, string>,
): ServedAnswer {
  const encoded = codec.encodeError(error.with({ requestId: facts.requestId }));
  const attempts = error.attempts?.length ?? facts.attempts;
  // outlast already spent the route's retries and fallbacks: a client SDK retrying the same call
  // would only multiply attempts (the official SDKs read x-should-retry before the status).
  const routeSpent = (error.attempts?.length ?? 0) > 0 && error.kind !== 'cancelled';
  return {
    kind: 'json',
    status: encoded.status,
    headers: {
      'content-type': 'application/json',
      ...encoded.headers,
      ...factHeaders(codec.format, { ...facts, ...(attempts === undefined ? {} : { attempts }) }),
      ...(error.requestId ? { 'x-outlast-upstream-request-id': error.requestId } : {}),
      ...(routeSpent ? { 'x-should-retry': 'false' } : {}),
      ...extraHeaders,
    },
    body: encoded.body,
    error,
  };
}

export function streamAnswer(codec: ServerCodec, body: SseBody, facts: CallFacts): ServedAnswer {
  return {
    kind: 'stream',
    status: 200,
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      // Tells nginx-style proxies in front not to buffer the stream.
      'x-accel-buffering': 'no',
      ...factHeaders(codec.format, facts),
    },
    body,
  };
}
