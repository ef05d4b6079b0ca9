/**
 * The contract every provider folder (`wire/anthropic`, `wire/openai`, `wire/gemini`)
 * implements, in both directions. The library and the fetch adapter use the client side;
 * the gateway and the mock provider use the server side. One translation, written once.
 */
import type { OutlastError } from '../errors/index.ts';
import type {
  CanonicalRequest,
  CanonicalResponse,
  StreamPart,
  VerbatimDialect,
  WireFormat,
} from './canonical/index.ts';

/** One server-sent event as eventsource-parser hands it over. */
export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
}

/** Header access that works for undici's and fetch's headers and for plain records. */
export type HeaderBag = Headers | Record<string, string | string[] | undefined>;

/** What to send upstream: the path is joined to the provider's base URL by the transport. */
export interface UpstreamRequestSpec {
  /** Path and query below the base URL, e.g. `/v1/messages` or `/v1beta/models/x:streamGenerateContent?alt=sse`. */
  path: string;
  /** JSON body (serialised by the transport). */
  body: unknown;
  /** Headers the format needs besides auth (e.g. `anthropic-version`). */
  headers: Record<string, string>;
}

/** Turns a provider's SSE events into canonical parts, statefully, for one response. */
export interface StreamDecoder {
  /**
   * Parts for one event. Pings yield nothing. An in-band error event yields an `error`
   * part. A malformed event throws an OutlastError of kind `invalid_response`; the caller
   * may skip it and go on when the rest of the stream is intact.
   */
  push(event: SseEvent): StreamPart[];
  /** True once the terminal event arrived (`message_stop`, `[DONE]`, finish plus usage): the reader may stop. */
  readonly complete: boolean;
  /**
   * The body ended. Returns closing parts when the answer is whole (an OpenAI stream that
   * had its finish reason but no `[DONE]`); throws `stream_interrupted` when it was cut.
   */
  end(): StreamPart[];
}

export interface ClientCodec {
  readonly format: WireFormat;
  /** Auth and version headers for an API key, in the provider's own header. */
  authHeaders(apiKey: string | undefined): Record<string, string>;
  /** Canonical → provider request. `model` is the upstream model id. Untranslatable fields throw `bad_request` naming the field. */
  encodeRequest(request: CanonicalRequest, options: { model: string; stream: boolean }): UpstreamRequestSpec;
  /** Provider JSON body → canonical. Throws `invalid_response` when the body is not a response. */
  decodeResponse(body: unknown): CanonicalResponse;
  createStreamDecoder(): StreamDecoder;
  /** An HTTP error answer → OutlastError (kind, provider type, message, retry hint, request id). */
  decodeError(status: number, headers: HeaderBag, bodyText: string): OutlastError;
  /** The request id the provider put in its response headers. */
  requestIdOf(headers: HeaderBag): string | undefined;
}

/** What a server codec needs besides the body: Gemini puts the model and streaming in the URL. */
export interface ServerRequestContext {
  /** Model named in the path (Gemini). */
  pathModel?: string;
  /** Streaming asked for by the path (Gemini `:streamGenerateContent`). */
  pathStream?: boolean;
}

export interface StreamEncoderOptions {
  /** The model name to report to the client. */
  model: string;
  /** OpenAI: whether the client asked for a usage chunk. */
  includeUsage?: boolean;
  /** The request is relayed as it came in this dialect: its `verbatim` parts are the stream. */
  relayed?: VerbatimDialect;
}

/** Turns canonical parts into the bytes the real API would send. */
export interface StreamEncoder {
  /** SSE text for one part (may be empty: e.g. OpenAI has no block stop). */
  encode(part: StreamPart): string;
  /** Closing text after the last part (OpenAI `data: [DONE]`), empty when none. */
  end(): string;
  /** A keep-alive the client ignores (Anthropic `ping` event, a `:` comment elsewhere). */
  keepAlive(): string;
}

export interface EncodedError {
  status: number;
  headers: Record<string, string>;
  /** JSON text in the provider's own error shape. */
  body: string;
}

export interface ServerCodec {
  readonly format: WireFormat;
  /** Provider request JSON → canonical. Throws `bad_request` naming the field when invalid. */
  decodeRequest(body: unknown, context?: ServerRequestContext): CanonicalRequest;
  /** Canonical → provider response JSON. */
  encodeResponse(response: CanonicalResponse, options: { model: string }): unknown;
  createStreamEncoder(options: StreamEncoderOptions): StreamEncoder;
  /** OutlastError → the provider's own status, headers (`retry-after` when known) and body. */
  encodeError(error: OutlastError): EncodedError;
  /** The error event a stream sends when it fails after the 200. */
  encodeStreamError(error: OutlastError): string;
}

export interface Codec extends ClientCodec, ServerCodec {
  readonly format: WireFormat;
}

/**
 * Canonical parts → a provider's stream events as objects: what each SSE frame's data
 * carries. The library yields them to its callers; the format's SSE encoder frames the same
 * objects, so both speak one translation.
 */
export interface StreamEventEncoder<E> {
  /**
   * The events for one part: none for some (OpenAI has no block stop), several for others.
   * An `error` part ends the stream and gives none: its in-band form is `encodeStreamError`'s.
   */
  push(part: StreamPart): E[];
  /** True once the answer ended whole (`message_stop`); the stream then takes no more parts. */
  readonly finished: boolean;
  /** True once an `error` part ended the stream. */
  readonly failed: boolean;
}
