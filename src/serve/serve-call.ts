/**
 * Serving one model call, written once for every entry point that speaks a provider's HTTP
 * API: the request body → canonical (the dialect's server codec) → the engine → the dialect's
 * answer. Nothing is answered before the commit point, so a call that fails before any content
 * gets a real error status in the client's dialect; after it, the stream carries the failure.
 * The caller's signal cancels the call and with it the upstream request.
 */
import type { CallOptions, Engine, EngineCall } from '../engine/index.ts';
import type { OutlastError } from '../errors/index.ts';
import type { CanonicalRequest, Usage } from '../wire/canonical/index.ts';
import type { ServerCodec, ServerRequestContext } from '../wire/codec.ts';
import { newRequestId } from '../wire/shared/request-id.ts';
import { errorAnswer, jsonAnswer, type ServedAnswer, streamAnswer } from './answer.ts';
import { createSseBody } from './sse-body.ts';

export interface ServeRequest {
  /** The server codec of the dialect the client speaks. */
  readonly codec: ServerCodec;
  /** Reads the body as JSON; the entry point reads it (the gateway under its size limit). */
  readonly body: () => Promise<unknown>;
  /** Aborts when the client goes away. */
  readonly signal: AbortSignal;
  /** What the path says (Gemini names the model and streaming there). */
  readonly path?: ServerRequestContext;
}

export interface ServeContext {
  readonly engine: Engine;
  /** The error as this entry point's client should see it (the gateway scrubs secrets). */
  readonly facing: (error: unknown) => OutlastError;
  /** Per-call timeouts; the engine's default without. */
  readonly timeout?: CallOptions['timeout'];
  /** Runs the engine call with its route known (the gateway's chaos injection). */
  readonly runInRoute?: <T>(route: string, fn: () => T) => T;
  /** Refuses a `model` this entry point does not serve (the gateway's known models), before the engine sees it. */
  readonly refuseModel?: (model: string) => OutlastError | undefined;
  /** Told about each call once it runs, to log it. */
  readonly onCall?: (info: { requestId: string; model: string; stream: boolean; call: EngineCall }) => void;
  /** Told the token usage the answer reports (cumulative: a later value replaces an earlier one). */
  readonly onUsage?: (usage: Partial<Usage>) => void;
  /** Limits the entry point puts on a decoded request (the gateway's tool-schema depth); throws the 400. */
  readonly checkRequest?: (request: CanonicalRequest) => void;
  /** Headers on every error answer (the fetch adapter's `x-should-retry: false`). */
  readonly errorHeaders?: Record<string, string>;
}

/** Serves one call; never rejects: a failure is an error answer, a client gone is `aborted`. */
export async function serveCall(input: ServeRequest, context: ServeContext): Promise<ServedAnswer> {
  const { codec, signal } = input;
  const failed = (error: unknown, facts: { requestId: string; answeredBy?: string; attempts?: number }) =>
    signal.aborted
      ? ({ kind: 'aborted', reason: signal.reason } as const)
      : errorAnswer(codec, context.facing(error), facts, context.errorHeaders);

  let request: CanonicalRequest;
  let call: EngineCall;
  try {
    request = codec.decodeRequest(await input.body(), input.path);
    context.checkRequest?.(request);
    const refused = context.refuseModel?.(request.model);
    if (refused) throw refused;
    const options: CallOptions = {
      signal,
      ...(context.timeout === undefined ? {} : { timeout: context.timeout }),
    };
    call = context.runInRoute
      ? context.runInRoute(request.model, () => context.engine.execute(request, options))
      : context.engine.execute(request, options);
  } catch (error) {
    // A body that cannot be read or decoded is the client's error, even when the client is gone.
    return errorAnswer(codec, context.facing(error), { requestId: newRequestId() }, context.errorHeaders);
  }
  const requestId = call.requestId;
  context.onCall?.({ requestId, model: request.model, stream: request.stream === true, call });

  let committed: Awaited<EngineCall['committed']>;
  try {
    committed = await call.committed;
  } catch (error) {
    return failed(error, { requestId });
  }
  // The call itself is cancelled by the same signal.
  if (signal.aborted) return { kind: 'aborted', reason: signal.reason };
  if (request.stream) {
    const body = createSseBody({
      codec,
      call,
      model: committed.model,
      // An OpenAI client that asked for `stream_options.include_usage` gets its usage chunk.
      ...(request.includeUsage === undefined ? {} : { includeUsage: request.includeUsage }),
      ...(request.origin ? { relayed: request.origin.dialect } : {}),
      signal,
      facing: context.facing,
      ...(context.onUsage ? { onUsage: context.onUsage } : {}),
    });
    return streamAnswer(codec, body, {
      requestId,
      answeredBy: `${committed.provider}/${committed.model}`,
      attempts: committed.attempts,
    });
  }
  try {
    const response = await call.response();
    if (response.usage) context.onUsage?.(response.usage);
    const trace = await call.trace;
    const answered = trace.answeredBy ?? committed;
    return jsonAnswer(codec, response, {
      requestId,
      answeredBy: `${answered.provider}/${answered.model}`,
      attempts: trace.attempts.length,
    });
  } catch (error) {
    return failed(error, {
      requestId,
      answeredBy: `${committed.provider}/${committed.model}`,
      attempts: committed.attempts,
    });
  }
}

/** A request the entry point refuses before serving it (auth, draining, a wrong method), in the dialect's shape. */
export function refusal(
  codec: ServerCodec,
  error: OutlastError,
  extraHeaders?: Record<string, string>,
): ServedAnswer {
  return errorAnswer(codec, error, { requestId: newRequestId() }, extraHeaders);
}
