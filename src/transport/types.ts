/**
 * The transport's public contract: what the engine (and the fetch adapter, the gateway's
 * pass-through routes) call to reach an upstream. Implemented by `createTransport()`.
 */
import type { Clock } from '../policy/clock.ts';
import type { AttemptScope } from '../policy/deadline.ts';
import type { CanonicalResponse, StreamPart } from '../wire/canonical/index.ts';
import type { ClientCodec, UpstreamRequestSpec } from '../wire/codec.ts';

export interface UpstreamTarget {
  /** Provider name from the config, e.g. `anthropic`. */
  provider: string;
  /** Upstream model id. */
  model: string;
  /** As each SDK takes it: Anthropic/Gemini without a version path, OpenAI with `/v1`. */
  baseURL: string;
  apiKey?: string;
  codec: ClientCodec;
  /** Extra static headers from the config; they win over the codec's. */
  headers?: Record<string, string>;
}

export interface UpstreamCall {
  target: UpstreamTarget;
  /** From `codec.encodeRequest(...)`. */
  request: UpstreamRequestSpec;
  /** Carries the abort signal and the phase timers; owned (and disposed) by the caller. */
  scope: AttemptScope;
  /**
   * For `stream()`: how the upstream answers. `sse` (the default): an event stream. `json`: the
   * request was encoded with `stream: false`; its JSON answer is read whole, decoded, and handed
   * out as the parts a stream of it would carry (errors as `send()` gives them).
   */
  answer?: 'sse' | 'json';
}

export interface UpstreamStream extends AsyncIterable<StreamPart> {
  readonly status: number;
  readonly headers: Headers;
  readonly requestId: string | undefined;
  /** Events that could not be decoded and were skipped. */
  readonly malformedEvents: number;
  /** Stops reading and destroys the socket; idempotent. */
  cancel(reason?: unknown): void;
}

export interface UpstreamAnswer {
  status: number;
  headers: Headers;
  requestId: string | undefined;
  response: CanonicalResponse;
}

export interface RawRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
  scope: AttemptScope;
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  /** Null for a bodiless answer (HEAD, 204, 304). Cancelling it destroys the socket. */
  body: ReadableStream<Uint8Array> | null;
}

export interface Transport {
  /** POSTs and resolves once 2xx response headers arrive; otherwise rejects with the codec's decoded OutlastError. */
  stream(call: UpstreamCall): Promise<UpstreamStream>;
  /** Non-streaming POST: resolves with the decoded canonical response. */
  send(call: UpstreamCall): Promise<UpstreamAnswer>;
  /** A raw request for pass-through calls (models list, files): transport timeouts only, no decoding. */
  request(input: RawRequest): Promise<RawAnswer>;
  /** Tears the pool down: open sockets are destroyed, calls still running fail. Idempotent. */
  close(): Promise<void>;
}

export interface TransportOptions {
  /**
   * Most sockets open at once to one origin (default 1024). A call beyond it waits for a
   * free socket, and that wait counts as its connect phase.
   */
  connectionsPerOrigin?: number;
  /** How long an idle keep-alive socket stays in the pool (default 10,000 ms; a server's own Keep-Alive hint wins when shorter). */
  keepAliveTimeoutMs?: number;
  /** For server hints given as HTTP dates and the post-stream drain timer; the real clock by default. */
  clock?: Clock;
}
