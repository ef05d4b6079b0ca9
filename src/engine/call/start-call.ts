/**
 * Starting one call: the caller's stream is handed back at once; the route, timeouts and
 * deadline are resolved, the passes over the route run, and the call ends with its answer or
 * its one final error and a trace. Failures before the commit point are retried or failed over
 * invisibly; after it, the answer is continued (or salvaged, or failed) as the caller chose.
 */
import { OutlastError, toOutlastError } from '../../errors/index.ts';
import { abortReason, createDeadline, type Deadline } from '../../policy/index.ts';
import { type Queued, takeQueued } from '../../transport/take-queued.ts';
import type { CanonicalRequest, CanonicalResponse, StreamPart } from '../../wire/canonical/index.ts';
import type { TimeoutOption } from '../config.ts';
import { estimatePromptTokens } from '../estimate-tokens.ts';
import type { Trace } from '../events.ts';
import { buildFinalError } from '../final-error.ts';
import { resolveRoute } from '../routes.ts';
import type { Outcome } from '../routing/outcome.ts';
import { runRoute } from '../routing/run-route.ts';
import { resolveTimeouts } from '../timeouts.ts';
import { createAnswerStream } from './answer-stream.ts';
import type { CallContext, CallDeps } from './call-context.ts';
import { createLedger } from './ledger.ts';

export interface CallOptions {
  signal?: AbortSignal;
  timeout?: TimeoutOption;
  /**
   * `false`: never hedge this call, whatever its route says (a call the caller will not have
   * sent twice, e.g. one whose upstream side effects or billing must happen once).
   */
  hedge?: boolean;
}

export interface EngineCall extends AsyncIterable<StreamPart> {
  /** Settles at the commit point: the target answering, or the final error if the call fails before any content. */
  readonly committed: Promise<{ provider: string; model: string; attempts: number }>;
  /** The whole answer assembled (consumes the parts if nobody iterates). */
  response(): Promise<CanonicalResponse>;
  /** Resolves when the call ends, whatever the outcome. */
  readonly trace: Promise<Trace>;
  /** Aborts everything, upstream sockets included. */
  cancel(reason?: unknown): void;
  /** Ours, one per call. */
  readonly requestId: string;
}

function cancelledBy(reason: unknown, message: string): OutlastError {
  if (OutlastError.isInstance(reason)) return reason;
  return new OutlastError({ kind: 'cancelled', message, cause: reason });
}

export function startCall(deps: CallDeps, request: CanonicalRequest, options: CallOptions = {}): EngineCall {
  const { settings, hub, clock, requestId } = deps;
  const controller = new AbortController();
  const cancel = (reason?: unknown) => {
    if (!controller.signal.aborted) {
      controller.abort(cancelledBy(reason, 'the call was cancelled by the caller'));
    }
  };
  const onCallerAbort = () => cancel(options.signal?.reason);
  if (options.signal?.aborted) onCallerAbort();
  else options.signal?.addEventListener('abort', onCallerAbort, { once: true });

  const answer = createAnswerStream(cancel, { atomicToolCalls: settings.stream.atomicToolCalls });
  const ledger = createLedger(hub, clock, requestId);
  const startedAt = clock.now();
  let deadline: Deadline | undefined;
  let finalError: OutlastError | undefined;

  /** Resolves what the call needs before its first attempt; a route that names nothing throws here. */
  const buildContext = (): CallContext => {
    const route = resolveRoute(request.model, settings.routes, settings.providers);
    const timeouts = resolveTimeouts(request, settings.timeout, options.timeout);
    deadline = createDeadline({ clock, signal: controller.signal, timeoutMs: timeouts.deadlineMs });
    deps.budget?.recordRequest();
    // A JSON upstream answer has no first token to wait for: only streamed attempts are hedged.
    const streamUpstream = request.stream === true || settings.stream.upstream === 'always';
    const hedgeBudget =
      route.hedge && options.hedge !== false && streamUpstream ? deps.hedgeBudget(route) : undefined;
    hedgeBudget?.recordCall();
    return {
      deps,
      request,
      route,
      timeouts,
      deadline,
      promptTokens: estimatePromptTokens(request),
      streamUpstream,
      ledger,
      answer,
      ...(route.hedge && hedgeBudget ? { hedge: { settings: route.hedge, budget: hedgeBudget } } : {}),
    };
  };

  /** The one error the call ends with, from how it stopped. */
  const endingError = (outcome: Outcome | undefined, thrown: unknown): OutlastError => {
    const { records, artefacts, skips } = ledger;
    if (outcome?.kind === 'stop' && outcome.error) {
      return outcome.error.attempts ? outcome.error : outcome.error.with({ attempts: records });
    }
    const aborted = controller.signal.aborted
      ? abortReason(controller.signal)
      : deadline?.signal.aborted
        ? abortReason(deadline.signal)
        : undefined;
    // Cancelled, by the caller or by the engine closing with a reason of its own (a gateway
    // shutting down): that reason is the answer, not the attempt it cut short.
    if (controller.signal.aborted && aborted)
      return aborted.with({ attempts: records, message: aborted.message });
    // A route that names nothing, or a fault of ours: nothing to weigh against it.
    if (outcome === undefined && !aborted) return toOutlastError(thrown).with({ attempts: records });
    return buildFinalError({ attempts: records, artefacts, skips, ...(aborted ? { ending: aborted } : {}) });
  };

  const done = (async (): Promise<Trace> => {
    let outcome: Outcome | undefined;
    let thrown: unknown;
    try {
      outcome = await runRoute(buildContext());
    } catch (e) {
      thrown = e;
    } finally {
      deadline?.dispose();
      options.signal?.removeEventListener('abort', onCallerAbort);
    }
    if (outcome?.kind !== 'done') finalError = endingError(outcome, thrown);
    const result: Trace['outcome'] = finalError
      ? finalError.kind === 'cancelled'
        ? 'cancelled'
        : 'error'
      : ledger.salvaged
        ? 'salvaged'
        : 'success';
    // The usage of the answer the caller got, summed over its pieces as the stitcher reported it.
    const usage = finalError ? undefined : answer.assembled().usage;
    const trace = ledger.trace(
      result,
      finalError !== undefined,
      answer.stitcher.wastedOutputTokens,
      clock.now() - startedAt,
      usage,
    );
    answer.end(finalError);
    if (finalError) hub.emit({ type: 'failed', requestId, error: finalError, trace });
    else hub.emit({ type: 'complete', requestId, trace });
    return trace;
  })();

  const call: EngineCall & Queued<StreamPart> = {
    requestId,
    committed: answer.committed,
    trace: done,
    cancel,
    [Symbol.asyncIterator]: () => answer[Symbol.asyncIterator](),
    // The parts already waiting, for outlast's own readers (see transport/take-queued.ts).
    [takeQueued]: () => answer.pull(),
    async response() {
      answer.discardUnread();
      await done;
      if (finalError) throw finalError;
      return answer.assembled();
    },
  };
  return call;
}
