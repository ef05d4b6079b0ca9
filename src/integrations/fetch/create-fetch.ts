/**
 * `createFetch()`: a `fetch` to hand to `new Anthropic({ fetch })`, `new OpenAI({ fetch })` or
 * `new GoogleGenAI({ httpOptions: { fetch } })`. The SDK keeps its types and helpers; its
 * generation calls run through the engine (retries, fallbacks, breakers, stream recovery)
 * and come back in the SDK's own wire format. Everything else passes through.
 */
import {
  type CallOptions,
  createEngine,
  type Engine,
  type EngineDeps,
  type EngineOptions,
} from '../../engine/index.ts';
import { OutlastError, toOutlastError } from '../../errors/index.ts';
import { attachLogger } from '../../observe/logging.ts';
import { realClock } from '../../policy/index.ts';
import { createTransport, type Transport } from '../../transport/index.ts';
import type { CanonicalRequest } from '../../wire/canonical/index.ts';
import { codecFor } from '../../wire/index.ts';
import { forwardPassthrough, type PassthroughOptions, resolvePassthrough } from './passthrough.ts';
import { recogniseCall } from './recognise-call.ts';
import { errorAnswer, jsonAnswer, streamAnswer } from './respond.ts';
import { createSdkRetryWatch } from './sdk-retry-watch.ts';

export interface FetchOptions extends EngineOptions {
  /** Calls that are not generation calls (models, files, batches): transport timeouts and safe retries. */
  passthrough?: PassthroughOptions;
  /** Per-call timeouts for the generation calls (a profile name or budgets in ms); defaults to the engine's. */
  callTimeout?: CallOptions['timeout'];
  /** Where the one-time warnings go; defaults to `console.warn`. */
  warn?: (message: string) => void;
}

export interface FetchDeps extends Omit<EngineDeps, 'transport'> {
  /** The HTTP transport, shared by the engine and the pass-through; `createTransport()` by default. */
  transport?: Transport;
}

/** The `fetch` signature, plus the engine underneath and a way to stop it and its sockets. */
export interface OutlastFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>;
  readonly engine: Engine;
  close(): Promise<void>;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new OutlastError({
      kind: 'bad_request',
      message: 'the request body is not valid JSON',
      cause: error,
    });
  }
}

function newRequestId(): string {
  return `req_${crypto.randomUUID().replaceAll('-', '')}`;
}

export function createFetch(options: FetchOptions, deps: FetchDeps = {}): OutlastFetch {
  const { passthrough, callTimeout, warn = (m: string) => console.warn(m), ...engineOptions } = options;
  const passthroughOptions = resolvePassthrough(passthrough);
  const ownsTransport = deps.transport === undefined;
  const transport = deps.transport ?? createTransport(deps.clock ? { clock: deps.clock } : {});
  const clock = deps.clock ?? realClock;
  const engine = createEngine(engineOptions, { codecFor, ...deps, transport });
  if (engine.settings.logger) {
    const secrets = Object.values(engine.settings.providers).flatMap((p) => (p.apiKey ? [p.apiKey] : []));
    attachLogger(engine, engine.settings.logger, { secrets });
  }
  const watchSdkRetries = createSdkRetryWatch(warn);

  const outlastFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    watchSdkRetries(request.headers);
    const recognised = recogniseCall(request.method, new URL(request.url));
    if (!recognised) return forwardPassthrough(request, transport, passthroughOptions, clock);

    const codec = codecFor(recognised.format);
    let canonical: CanonicalRequest;
    try {
      canonical = codec.decodeRequest(parseJson(await request.text()), {
        ...(recognised.pathModel === undefined ? {} : { pathModel: recognised.pathModel }),
        ...(recognised.pathStream === undefined ? {} : { pathStream: recognised.pathStream }),
      });
    } catch (error) {
      return errorAnswer(codec, toOutlastError(error), { requestId: newRequestId() });
    }

    let call: ReturnType<Engine['execute']>;
    try {
      call = engine.execute(canonical, {
        signal: request.signal,
        ...(callTimeout === undefined ? {} : { timeout: callTimeout }),
      });
    } catch (error) {
      return errorAnswer(codec, toOutlastError(error), { requestId: newRequestId() });
    }

    let committed: Awaited<typeof call.committed>;
    try {
      committed = await call.committed;
    } catch (error) {
      // An aborted fetch rejects with the signal's reason, as the platform's does: the SDK
      // then raises its own abort (or, for its own timeout, timeout) error.
      if (request.signal.aborted) throw request.signal.reason;
      return errorAnswer(codec, toOutlastError(error), { requestId: call.requestId });
    }
    const facts = {
      requestId: call.requestId,
      answeredBy: `${committed.provider}/${committed.model}`,
      attempts: committed.attempts,
    };

    if (!canonical.stream) {
      try {
        return jsonAnswer(codec, await call.response(), facts);
      } catch (error) {
        if (request.signal.aborted) throw request.signal.reason;
        return errorAnswer(codec, toOutlastError(error), facts);
      }
    }
    return streamAnswer(
      codec,
      call[Symbol.asyncIterator](),
      {
        model: committed.model,
        ...(canonical.includeUsage === undefined ? {} : { includeUsage: canonical.includeUsage }),
        signal: request.signal,
        cancel: (reason) => call.cancel(reason),
      },
      facts,
    );
  };

  return Object.assign(outlastFetch, {
    engine,
    async close() {
      await engine.close();
      if (ownsTransport) await transport.close();
    },
  });
}
