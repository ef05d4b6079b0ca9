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
import { toOutlastError } from '../../errors/index.ts';
import { logEngineEvents } from '../../observe/logging.ts';
import { realClock } from '../../policy/index.ts';
import { parseJsonBody, type ServeContext, serveCall } from '../../serve/index.ts';
import { createTransport, type Transport } from '../../transport/index.ts';
import { codecFor } from '../../wire/index.ts';
import { createResponsesServerCodec } from '../../wire/openai-responses/index.ts';
import { forwardPassthrough, type PassthroughOptions, resolvePassthrough } from './passthrough.ts';
import { recogniseCall } from './recognise-call.ts';
import { toResponse } from './respond.ts';
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

export function createFetch(options: FetchOptions, deps: FetchDeps = {}): OutlastFetch {
  const { passthrough, callTimeout, warn = (m: string) => console.warn(m), ...engineOptions } = options;
  const passthroughOptions = resolvePassthrough(passthrough);
  const ownsTransport = deps.transport === undefined;
  const transport = deps.transport ?? createTransport(deps.clock ? { clock: deps.clock } : {});
  const clock = deps.clock ?? realClock;
  const engine = createEngine(engineOptions, { codecFor, ...deps, transport });
  logEngineEvents(engine);
  const watchSdkRetries = createSdkRetryWatch(warn);
  const serveContext: ServeContext = {
    engine,
    // The keys are the app's own: an upstream 401 reaches the SDK as the 401 it is.
    facing: (error) => toOutlastError(error),
    ...(callTimeout === undefined ? {} : { timeout: callTimeout }),
    // outlast has already retried and fallen back: the SDK retrying on top would multiply
    // attempts (the Stainless SDKs obey the header).
    errorHeaders: { 'x-should-retry': 'false' },
  };

  const outlastFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    watchSdkRetries(request.headers);
    const recognised = recogniseCall(request.method, new URL(request.url));
    if (!recognised) return forwardPassthrough(request, transport, passthroughOptions, clock);

    return toResponse(
      await serveCall(
        {
          // A Responses API codec is made per request (a Response repeats the request's parameters).
          codec: recognised.responses ? createResponsesServerCodec() : codecFor(recognised.format),
          body: async () => parseJsonBody(await request.text()),
          signal: request.signal,
          path: {
            ...(recognised.pathModel === undefined ? {} : { pathModel: recognised.pathModel }),
            ...(recognised.pathStream === undefined ? {} : { pathStream: recognised.pathStream }),
          },
        },
        serveContext,
      ),
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
