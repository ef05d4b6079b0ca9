/**
 * One attempt on one target: encode the request in the target's format, open an attempt scope
 * on the deadline (the phase timeouts), send it, feed what comes back into the answer stream,
 * and settle the permit, the health record and the ledger whatever happened.
 */

import type { AttemptRecord } from '../../errors/index.ts';
import {
  cooldownEndOf,
  OutlastError,
  SPECIFIC_CODES,
  toOutlastError,
  treatmentOf,
} from '../../errors/index.ts';
import { type AttemptScope, abortReason } from '../../policy/index.ts';
import { type CanonicalRequest, isContentPart } from '../../wire/canonical/index.ts';
import type { ClientCodec, UpstreamRequestSpec } from '../../wire/codec.ts';
import { DEFAULT_BASE_URLS } from '../../wire/index.ts';
import { type CallContext, label } from '../call/call-context.ts';
import { forEachQueued } from '../channel.ts';
import type { SkipReason } from '../events.ts';
import type { TargetPermit } from '../health.ts';
import { looksLikePrefillRejection } from '../recovery/continuation-request.ts';
import { CONTINUATION_UNALIGNED, type PieceOptions } from '../recovery/stitcher.ts';
import type { TargetRef } from '../routes.ts';
import { UNTRANSLATABLE } from '../routing/decide.ts';
import type { TargetState } from '../routing/target-state.ts';
import { jsonPhaseBudgets, toPhaseBudgets } from '../timeouts.ts';
import type { EngineUpstreamStream } from '../upstream.ts';
import { type AttemptSink, answerSink } from './attempt-sink.ts';
import { slowStreamGuard } from './slow-stream.ts';
import { codecForAttempt } from './target-codec.ts';

export type AttemptMode =
  | { continuation: false }
  | { continuation: true; piece: PieceOptions; prefill: boolean };

export type AttemptResult =
  | { ok: true }
  | {
      ok: false;
      error: OutlastError;
      /** Whether any of this attempt's answer reached the caller (after the commit point). */
      forwarded: boolean;
      record: AttemptRecord;
    };

/** How an attempt is run beyond its request: where its parts go, and what else may cancel it. */
export interface AttemptLane {
  /** Where its parts go; the call's answer by default. */
  sink?: AttemptSink;
  /** Aborting it aborts the attempt (a hedge race cancelling its loser). */
  signal?: AbortSignal;
  /** The attempt is the hedge of the call's first one. */
  hedge?: boolean;
}

export type AllowedPermit = Extract<TargetPermit, { allowed: true }>;

/** A permit that no breaker or cooldown gave (every target was skipped): its outcome is reported to none. */
export const FORCED: AllowedPermit = {
  allowed: true,
  probe: false,
  pacing: false,
  release() {},
  settlePacing() {},
};
/**
 * For a call already admitted to a target whose breaker opened meanwhile: the breaker protects
 * the target from new calls, not from the retries of a call it let in.
 */
export const ADMITTED: AllowedPermit = FORCED;

export const isBreakerReason = (reason: SkipReason): boolean =>
  reason === 'breaker_open' || reason === 'provider_breaker_open';

/** The error as the engine sees it: a deadline or cancel that aborted the attempt wins over what it caused. */
function normalise(e: unknown, ref: TargetRef, scope: AttemptScope | undefined): OutlastError {
  let error = toOutlastError(e, label(ref));
  if (scope?.signal.aborted && error.kind !== 'timeout') {
    const reason = abortReason(scope.signal);
    if (reason.kind === 'timeout' || reason.kind === 'cancelled') error = reason;
  }
  if (!error.provider || !error.model) error = error.with({ ...label(ref) });
  return error;
}

export function isPrefillError(ctx: CallContext, error: OutlastError): boolean {
  return looksLikePrefillRejection(error, ctx.deps.isPrefillRejection);
}

export async function runAttempt(
  ctx: CallContext,
  state: TargetState,
  permit: AllowedPermit,
  body: CanonicalRequest,
  mode: AttemptMode,
  waitedMs: number,
  lane: AttemptLane = {},
): Promise<AttemptResult> {
  const { ref } = state;
  const { settings, health, clock, transport, stats } = ctx.deps;
  const { answer, ledger, streamUpstream } = ctx;
  const sink = lane.sink ?? answerSink(answer);
  const number = ledger.beginAttempt(ref, state.attempts, mode.continuation, permit.probe, lane.hedge);
  state.attempts++;
  const t0 = clock.now();
  // Calls in flight and time to first token, for the balancer of a group this target is in.
  const load = ctx.deps.balancing?.begin(ref.key);
  // The target's rate-limit bucket counts this attempt until its answer's headers say where it stands.
  const paced = ctx.deps.pacing?.begin(ref.key, ctx.promptTokens);
  let ttftMs: number | undefined;
  let upstream: EngineUpstreamStream | undefined;
  let scope: AttemptScope | undefined;
  let forwardedHere = false;
  let began = false;
  let completed = false;
  let outputTokens = 0;
  let stopWatching = () => {};
  const guard = slowStreamGuard(ctx, ref, mode.continuation);
  const finish = (outcome: AttemptRecord['outcome'], error?: OutlastError) =>
    ledger.endAttempt({
      ref,
      number,
      startedAt: t0,
      ttftMs,
      outcome,
      error,
      waitedMs,
      continuation: mode.continuation,
      wastedOutputTokens: forwardedHere ? 0 : Math.max(outputTokens, sink.unsentTokens),
      upstreamRequestId: upstream?.requestId,
    });
  try {
    const provider = settings.providers[ref.provider];
    // resolveRoute names configured providers only; were one missing, the attempt fails typed.
    if (!provider)
      throw new OutlastError({ kind: 'bad_request', message: `no provider named ${ref.provider}` });
    let codec: ClientCodec;
    let spec: UpstreamRequestSpec;
    // A relayed Responses answer cannot be continued after a cut: a caller that does not stream
    // is better served by one JSON body, whose failure is always before the commit point.
    let streamHere = streamUpstream;
    try {
      const chosen = codecForAttempt(ctx.deps, ref, provider, body, mode.continuation);
      codec = chosen.codec;
      if (chosen.verbatim && body.stream !== true) streamHere = false;
      spec = codec.encodeRequest(
        { ...body, model: ref.model, stream: streamHere },
        { model: ref.model, stream: streamHere },
      );
    } catch (e) {
      // This target's format cannot say what the request asks for; another format may.
      throw toOutlastError(e, label(ref)).with({ code: UNTRANSLATABLE, retryable: false });
    }
    scope = ctx.deadline.attempt(
      streamHere ? toPhaseBudgets(ctx.timeouts.budgets) : jsonPhaseBudgets(ctx.timeouts.budgets),
      label(ref),
    );
    const attemptScope = scope;
    const cancel = () => attemptScope.abort(lane.signal?.reason);
    if (lane.signal?.aborted) cancel();
    lane.signal?.addEventListener('abort', cancel, { once: true });
    stopWatching = () => lane.signal?.removeEventListener('abort', cancel);
    upstream = await transport.stream({
      ...(streamHere ? {} : { answer: 'json' as const }),
      target: {
        ...label(ref),
        baseURL: provider.baseURL ?? DEFAULT_BASE_URLS[provider.type],
        codec,
        ...(provider.apiKey === undefined ? {} : { apiKey: provider.apiKey }),
        ...(provider.headers ? { headers: provider.headers } : {}),
      },
      request: spec,
      scope,
    });
    // What the answer's rate-limit headers say is left, before the calls this attempt paces go on.
    paced?.(upstream.headers);
    // An answer has begun: the limit this attempt was pacing has passed.
    permit.settlePacing();
    // Before the commit point the stitcher holds this piece until its first content, so a
    // failure before it is retried invisibly; after it, this piece continues the answer.
    sink.begin(
      { ...label(ref), attempts: ledger.records.length + 1 },
      mode.continuation ? mode.piece : undefined,
    );
    began = true;
    // The parts already decoded from one network read are taken without a promise each.
    await forEachQueued(upstream, (part) => {
      if (part.type === 'error') throw part.error;
      if (part.type === 'message_delta' && part.usage?.outputTokens !== undefined)
        outputTokens = part.usage.outputTokens;
      if (ttftMs === undefined && isContentPart(part)) {
        ttftMs = clock.now() - t0;
        load?.firstToken(ttftMs);
        if (!mode.continuation) stats.ttft(ref.key).record(ttftMs);
      }
      sink.push(part);
      guard?.observe(part, sink.committed);
      // A continuation that only repeated what the caller has ends the answer: nothing more to read.
      return !sink.ended;
    });
    sink.finish();
    guard?.streamEnded();
    completed = true;
    ledger.answeredBy = ref;
    permit.release('success');
    load?.end('ok');
    health.record(ref, { ok: true, latencyMs: clock.now() - t0 });
    finish('success');
    return { ok: true };
  } catch (e) {
    const error = normalise(e, ref, scope);
    forwardedHere = began && sink.forwarded;
    if (forwardedHere) {
      ledger.answeredBy = ref;
      sink.interrupt();
    } else if (began) {
      sink.abandon();
    }
    const cancelled = error.kind === 'cancelled';
    load?.end(cancelled ? 'cancelled' : 'failed');
    // A hedge that lost before its first token waited at least this long for it: the tracker
    // keeps that lower bound rather than forget the slow tail the hedge cut short.
    if (cancelled && error.code === SPECIFIC_CODES.HEDGE_LOST && ttftMs === undefined && !mode.continuation)
      stats.ttft(ref.key).record(clock.now() - t0);
    // A continuation the stitcher could not align says nothing of the target's health.
    const unaligned = error.code === CONTINUATION_UNALIGNED;
    const treatment = treatmentOf(error.kind, error.phase);
    permit.settlePacing(cooldownEndOf(error, clock.now()));
    const prefillRejected = mode.continuation && mode.prefill && isPrefillError(ctx, error);
    permit.release(
      cancelled || prefillRejected || unaligned || !treatment.breakerCounts ? 'ignored' : 'failure',
      error.kind,
      treatment.longCooldown,
    );
    if (!cancelled)
      health.record(ref, { ok: false, kind: error.kind, status: error.status, message: error.message });
    const record = finish(cancelled ? 'cancelled' : 'error', error);
    return { ok: false, error, forwarded: forwardedHere, record };
  } finally {
    load?.end('cancelled');
    stopWatching();
    paced?.();
    permit.settlePacing();
    // A stream read to its end has already given its connection back to the pool.
    if (!completed) upstream?.cancel();
    scope?.dispose();
  }
}
