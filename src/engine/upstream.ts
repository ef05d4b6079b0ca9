/**
 * The transport as the engine uses it (src/transport implements it). Kept as a structural
 * type here so the engine can run on any transport, a test's included.
 */
import type { AttemptScope } from '../policy/index.ts';
import type { StreamPart } from '../wire/canonical/index.ts';
import type { ClientCodec, UpstreamRequestSpec } from '../wire/codec.ts';

export interface EngineUpstreamTarget {
  provider: string;
  model: string;
  baseURL: string;
  apiKey?: string;
  codec: ClientCodec;
  headers?: Record<string, string>;
}

export interface EngineUpstreamStream extends AsyncIterable<StreamPart> {
  readonly status: number;
  readonly requestId: string | undefined;
  /** The answer's headers (rate-limit pacing reads them); a test transport may leave them out. */
  readonly headers?: Headers;
  readonly malformedEvents: number;
  cancel(reason?: unknown): void;
}

export interface EngineTransport {
  stream(call: {
    target: EngineUpstreamTarget;
    request: UpstreamRequestSpec;
    scope: AttemptScope;
    /** `json`: the request asks for one JSON body (`stream: false`); the parts come from it. */
    answer?: 'sse' | 'json';
  }): Promise<EngineUpstreamStream>;
  /** A raw request, for calls that are not generations (embeddings, token counts); transport timeouts only. */
  request?(input: {
    url: string;
    method: string;
    headers: Record<string, string>;
    body?: string;
    scope: AttemptScope;
  }): Promise<{ status: number; headers: Headers; body: ReadableStream<Uint8Array> | null }>;
  close(): Promise<void>;
}
