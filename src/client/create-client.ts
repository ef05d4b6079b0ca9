/**
 * `createClient()`: the library surface. Anthropic-shaped `messages.create/stream` and
 * OpenAI-shaped `chat.completions.create`, both running on one engine. Params are read and
 * answers written by the server side of the wire codecs, so there is one translation.
 */
import {
  type CallOptions,
  createEngine,
  type Engine,
  type EngineCall,
  type EngineDeps,
  type EngineEvent,
  type EngineOptions,
  type TargetStatus,
  type Trace,
} from '../engine/index.ts';
import { logEngineEvents } from '../observe/logging.ts';
import { createTracing } from '../observe/tracing.ts';
import { anthropicCodec } from '../wire/anthropic/index.ts';
import { toAnthropicMessage } from '../wire/anthropic/sdk-types.ts';
import type { CanonicalRequest, CanonicalResponse } from '../wire/canonical/index.ts';
import type { ServerCodec } from '../wire/codec.ts';
import { openaiCodec } from '../wire/openai/index.ts';
import { toChatCompletion } from '../wire/openai/sdk-types.ts';
import { createOpenaiEventEncoder } from '../wire/openai/stream-events.ts';
import {
  anthropicEvents,
  createMessageStream,
  failedMessageStream,
  type MessageStream,
} from './message-stream.ts';
import { createResponsesApi, type ResponsesApi } from './responses.ts';
import { type TracedPromise, traced } from './traced-promise.ts';
import type { AnthropicMessage, AnthropicStreamEvent, ChatCompletion, ChatCompletionChunk } from './types.ts';

/** Anthropic `messages.create` params: validated by the Anthropic codec, not typed in full here. */
export interface MessageCreateParams {
  model: string;
  max_tokens: number;
  messages: unknown[];
  stream?: boolean | null;
  [field: string]: unknown;
}

/** OpenAI `chat.completions.create` params: validated by the OpenAI codec. */
export interface ChatCompletionCreateParams {
  model: string;
  messages: unknown[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  [field: string]: unknown;
}

/** Per call: the caller's AbortSignal and a timeout (`'auto'`, a profile, ms for the whole call, or an object). */
export type RequestOptions = CallOptions;

export interface ChatCompletionStream extends AsyncIterable<ChatCompletionChunk> {
  /** Stops the call, upstream included (breaking out of the loop does the same). */
  abort(): void;
  readonly trace: Promise<Trace>;
}

export interface AnthropicEventStream extends AsyncIterable<AnthropicStreamEvent> {
  abort(): void;
  readonly trace: Promise<Trace>;
}

export interface OutlastClient {
  readonly messages: {
    create(
      params: MessageCreateParams & { stream: true },
      options?: RequestOptions,
    ): TracedPromise<AnthropicEventStream>;
    create(
      params: MessageCreateParams & { stream?: false | null },
      options?: RequestOptions,
    ): TracedPromise<AnthropicMessage>;
    stream(params: MessageCreateParams, options?: RequestOptions): MessageStream;
  };
  readonly chat: {
    readonly completions: {
      create(
        params: ChatCompletionCreateParams & { stream: true },
        options?: RequestOptions,
      ): TracedPromise<ChatCompletionStream>;
      create(
        params: ChatCompletionCreateParams & { stream?: false | null },
        options?: RequestOptions,
      ): TracedPromise<ChatCompletion>;
    };
  };
  /** The OpenAI Responses API shape: `create()` gives a Response, or its events with `stream: true`. */
  readonly responses: ResponsesApi;
  /** Subscribe to engine events; returns an unsubscribe function. */
  on(listener: (event: EngineEvent) => void): () => void;
  /** Per target health: breakers, cooldowns, latency, recent failures. */
  status(): TargetStatus[];
  readonly engine: Engine;
  /** Cancels calls in flight and closes connections. */
  close(): Promise<void>;
}

export type ClientOptions = EngineOptions;

export interface ClientDeps extends EngineDeps {
  /** An engine to run on instead of one made from the options (shared with other entry points). */
  engine?: Engine;
}

/** A call that cannot start (bad params, a closed engine) fails the promise it returns, never synchronously. */
function failed(error: unknown): TracedPromise<never> {
  return traced(Promise.reject(error), () => Promise.reject(error));
}

/**
 * A client over one engine. Options are validated here (an OutlastError names each bad one);
 * `deps` swaps the transport, clock or stores (tests), or hands over an engine.
 *
 * Bad input fails the same way everywhere: asynchronously, as the call's own failure (the
 * returned promise rejects; a `messages.stream()` rejects its iteration and `finalMessage()`),
 * as an upstream's 400 would, so one `catch`/`try { await }` handles both.
 */
export function createClient(options: ClientOptions, deps: ClientDeps = {}): OutlastClient {
  const engine = deps.engine ?? createEngine(options, deps);
  logEngineEvents(engine);
  // Spans only when the application registered an OpenTelemetry tracer provider; nothing otherwise.
  const tracing = createTracing(engine, {
    providerType: (provider) => engine.settings.providers[provider]?.type,
  });

  // The codecs write these shapes as plain JSON (a same-format answer carries the upstream's
  // extra fields too); the SDK-shaped object is validated from it, not cast.
  const toAnthropic = (r: CanonicalResponse) =>
    toAnthropicMessage(anthropicCodec.encodeResponse(r, { model: r.model }));
  const toOpenAI = (r: CanonicalResponse) =>
    toChatCompletion(openaiCodec.encodeResponse(r, { model: r.model }));

  function startStreamed<T>(call: EngineCall, iterate: () => AsyncIterator<T>) {
    const stream = {
      [Symbol.asyncIterator]: iterate,
      abort: () => call.cancel(),
      trace: call.trace,
    };
    // Resolves at the commit point, like an SDK's stream resolves at the response headers.
    return traced(
      call.committed.then(() => stream),
      () => call.trace,
    );
  }

  /**
   * Params → canonical (the codec of the shape) → a running call → `answer`. A call that
   * cannot start (bad params, a closed engine) rejects instead of throwing.
   */
  function create<T>(
    codec: ServerCodec,
    params: unknown,
    options: RequestOptions | undefined,
    answer: (request: CanonicalRequest, call: EngineCall) => TracedPromise<T>,
  ): TracedPromise<T> {
    let request: CanonicalRequest;
    let call: EngineCall;
    try {
      request = codec.decodeRequest(params);
      call = tracing.within(request, () => engine.execute(request, options));
    } catch (error) {
      return failed(error);
    }
    return answer(request, call);
  }

  const messagesCreate = (params: MessageCreateParams, options?: RequestOptions) =>
    create<AnthropicMessage | AnthropicEventStream>(anthropicCodec, params, options, (request, call) =>
      request.stream
        ? startStreamed<AnthropicStreamEvent>(call, () => anthropicEvents(call))
        : traced(call.response().then(toAnthropic), () => call.trace),
    );

  const chatCreate = (params: ChatCompletionCreateParams, options?: RequestOptions) =>
    create<ChatCompletion | ChatCompletionStream>(openaiCodec, params, options, (request, call) => {
      if (!request.stream) return traced(call.response().then(toOpenAI), () => call.trace);
      const includeUsage = request.includeUsage === true;
      return startStreamed<ChatCompletionChunk>(call, async function* () {
        // The chunk objects the gateway frames as SSE: one translation (src/wire/openai).
        const events = createOpenaiEventEncoder({ model: (await call.committed).model, includeUsage });
        // A call relayed as it came (n > 1, audio) yields the upstream's own chunks.
        let relaying = false;
        for await (const part of call) {
          if (part.type === 'verbatim') {
            if (part.dialect !== 'openai-chat') continue;
            relaying = true;
            yield JSON.parse(part.data) as ChatCompletionChunk;
          } else if (!relaying) yield* events.push(part);
        }
      });
    });

  return {
    messages: {
      create: messagesCreate as OutlastClient['messages']['create'],
      stream(params, options) {
        try {
          const request = anthropicCodec.decodeRequest({ ...params, stream: true });
          return createMessageStream(
            tracing.within(request, () => engine.execute(request, options)),
            toAnthropic,
          );
        } catch (error) {
          return failedMessageStream(error);
        }
      },
    },
    chat: { completions: { create: chatCreate as OutlastClient['chat']['completions']['create'] } },
    responses: createResponsesApi(engine),
    on: (listener) => engine.on(listener),
    status: () => engine.status(),
    engine,
    close: () => {
      tracing.detach();
      return engine.close();
    },
  };
}
