/**
 * After the commit point: the caller already has part of the answer, so a failure is met by
 * continuing the answer (on the target that broke, unless it broke twice or went silent, then
 * on the others), by salvaging what arrived, or by a typed error, as the caller chose.
 */
import { cooldownEndOf, type OutlastError } from '../../errors/index.ts';
import { createBackoff } from '../../policy/index.ts';
import type { ContentBlock } from '../../wire/canonical/index.ts';
import { ADMITTED, isBreakerReason, isPrefillError, runAttempt } from '../attempt/run-attempt.ts';
import { type CallContext, contextTooSmall, label, untilSettled, waitToRetry } from '../call/call-context.ts';
import { buildFinalError } from '../final-error.ts';
import { endsTheCall } from '../routing/decide.ts';
import { createRetryTicket, decideInCall } from '../routing/decide-in-call.ts';
import { DONE, type Outcome } from '../routing/outcome.ts';
import type { TargetState } from '../routing/target-state.ts';
import { buildContinuation } from './continuation-request.ts';

export async function recover(
  ctx: CallContext,
  states: readonly TargetState[],
  from: TargetState,
  firstInterruption: OutlastError,
): Promise<Outcome> {
  const { settings, hub, requestId } = ctx.deps;
  const { stitcher } = ctx.answer;
  let interruption = firstInterruption;
  let current = from;
  // Interruptions continued so far: each may take several attempts (retries, other targets).
  let rounds = 0;
  const broke = new Map<TargetState, number>();
  const { onInterrupt, maxContinuations } = settings.stream;
  for (;;) {
    const partial = stitcher.partialContent();
    const stopping = endsTheCall(interruption);
    const canContinue =
      onInterrupt === 'continue' && partial !== undefined && rounds < maxContinuations && !stopping;
    hub.emit({
      type: 'interruption',
      requestId,
      ...label(current.ref),
      error: interruption,
      action: canContinue ? 'continue' : onInterrupt === 'salvage' && !stopping ? 'salvage' : 'error',
    });
    if (!canContinue || partial === undefined) return endInterrupted(ctx, interruption);
    rounds++;
    ctx.ledger.continued = true;
    broke.set(current, (broke.get(current) ?? 0) + 1);
    const start = states.indexOf(current);
    // The target that broke is asked first (it has the context warm), unless it broke before in
    // this call, or went silent: a timeout falls back first and comes back here last (the failure table).
    const silent = interruption.kind === 'timeout';
    const tired = (t: TargetState) => ((broke.get(t) ?? 0) >= 2 || (silent && t === current) ? 1 : 0);
    const order = [...states.slice(start), ...states.slice(0, start)].sort((a, b) => tired(a) - tired(b));
    // Every target may be cooling after short rate-limit hints: the soonest is waited for, as
    // before the commit point, rather than failing an answer the caller has half of; for at most
    // `retry.cooldownWaitMs` in all, the wait a call whose targets all cool is allowed.
    let cooledWaitMs = 0;
    waiting: for (;;) {
      let soonestCooled: number | undefined;
      for (const state of order) {
        if (contextTooSmall(ctx, state.ref)) continue;
        const result = await continueOn(ctx, states, state, partial);
        if (result.kind === 'done') return DONE;
        if (result.kind === 'stop')
          return endInterrupted(ctx, result.error.kind === 'cancelled' ? result.error : interruption);
        if (result.kind === 'broke') {
          interruption = result.error;
          current = state;
          break waiting;
        }
        if (
          result.coolingUntilMs !== undefined &&
          (soonestCooled === undefined || result.coolingUntilMs < soonestCooled)
        )
          soonestCooled = result.coolingUntilMs;
      }
      const waitMs = soonestCooled === undefined ? undefined : soonestCooled + 1 - ctx.deps.clock.now();
      const stepMs = waitMs === undefined ? undefined : Math.max(MIN_COOLDOWN_WAIT_MS, waitMs);
      const fits =
        stepMs !== undefined &&
        cooledWaitMs + stepMs <= settings.retry.cooldownWaitMs &&
        stepMs < ctx.deadline.remainingMs();
      if (!fits) return endInterrupted(ctx, interruption);
      await waitToRetry(ctx, current.ref, current.attempts + 1, stepMs, 'hint');
      cooledWaitMs += stepMs;
    }
  }
}

/** A cooldown that ends now may be held by another call's pacing attempt: give it a moment. */
const MIN_COOLDOWN_WAIT_MS = 25;

type ContinueResult =
  | { kind: 'done' }
  /** Part of the continuation reached the caller, then it broke too: a new interruption. */
  | { kind: 'broke'; error: OutlastError }
  /**
   * This target could not continue the answer (nothing of it reached the caller): try the next.
   * `coolingUntilMs`: it was only held back by a cooldown, which ends then.
   */
  | { kind: 'failed'; coolingUntilMs?: number }
  /** The caller left or the deadline passed. */
  | { kind: 'stop'; error: OutlastError };

/**
 * Continuation attempts on one target, retried as any attempt is: a short hint is waited out, a
 * 5xx or reset is retried with backoff, within the same attempts per target and retry budget.
 */
async function continueOn(
  ctx: CallContext,
  states: readonly TargetState[],
  state: TargetState,
  partial: ContentBlock[],
): Promise<ContinueResult> {
  const { settings, health, clock, budget } = ctx.deps;
  const r = settings.retry;
  let prefill =
    health.acceptsPrefill(state.ref.key) ??
    settings.models(state.ref.model).prefill ??
    settings.providers[state.ref.provider]?.type === 'anthropic';
  let attemptsHere = 0;
  let backoff = createBackoff({ baseMs: r.baseMs, capMs: r.capMs, jitter: r.jitter });
  let waited = 0;
  const ticket = createRetryTicket(budget);
  for (;;) {
    const next = buildContinuation(ctx.request, partial, { prefill });
    // Taken just before the attempt, which settles whatever the permit holds (a pacing one included).
    let permit = health.acquire(state.ref, { retry: state.attempts > 0 });
    if (!permit.allowed && permit.pacingVerdict) {
      // Another call is finding out whether the target's limit has passed (moments: its first
      // response): the caller has part of the answer, so its verdict is worth the wait.
      const coolUntilMs = await untilSettled(ctx, permit.pacingVerdict);
      if (coolUntilMs === undefined) continue;
      return { kind: 'failed', coolingUntilMs: coolUntilMs };
    }
    if (!permit.allowed && state.attempts > 0 && isBreakerReason(permit.reason)) permit = ADMITTED;
    if (!permit.allowed) {
      ctx.ledger.skip(state.ref, permit.reason, permit);
      return permit.reason === 'cooling_down' && permit.cooledBy !== 'quota_exceeded'
        ? { kind: 'failed', coolingUntilMs: Math.max(permit.retryAtMs, clock.now()) }
        : { kind: 'failed' };
    }
    attemptsHere++;
    const result = await runAttempt(
      ctx,
      state,
      permit,
      next.request,
      { continuation: true, piece: next.piece, prefill },
      waited,
    );
    ticket.settle(result.ok || result.forwarded);
    if (result.ok) return { kind: 'done' };
    if (result.forwarded) return { kind: 'broke', error: result.error };
    ctx.ledger.artefacts.add(result.record);
    const e = result.error;
    if (endsTheCall(e)) return { kind: 'stop', error: e };
    // A refused prefill is learned once; the same target is asked again without it, at no cost.
    if (prefill && isPrefillError(ctx, e)) {
      health.markPrefillRejected(state.ref.key);
      prefill = false;
      attemptsHere--;
      continue;
    }
    const now = clock.now();
    const coolUntilMs = cooldownEndOf(e, now);
    if (coolUntilMs !== undefined) health.coolUntil(state.ref.key, coolUntilMs, e.kind);
    const decision = decideInCall(ctx, states, state, { error: e, attemptsHere, backoff, now, ticket });
    if (decision.action !== 'retry') {
      // Left for a rate limit's cooldown: worth coming back to if nothing else can continue.
      return coolUntilMs !== undefined && e.kind !== 'quota_exceeded'
        ? { kind: 'failed', coolingUntilMs: coolUntilMs }
        : { kind: 'failed' };
    }
    await waitToRetry(ctx, state.ref, state.attempts + 1, decision.waitMs, decision.source);
    backoff = decision.backoff;
    waited = decision.waitMs;
  }
}

/** Nothing can continue the answer: salvage it when the caller asked for that, else fail the call. */
function endInterrupted(ctx: CallContext, error: OutlastError): Outcome {
  if (error.kind !== 'cancelled' && ctx.deps.settings.stream.onInterrupt === 'salvage') {
    ctx.answer.stitcher.salvage();
    ctx.ledger.salvaged = true;
    return DONE;
  }
  const { records, artefacts, skips } = ctx.ledger;
  return {
    kind: 'stop',
    error:
      error.kind === 'cancelled'
        ? error
        : buildFinalError({ attempts: records, artefacts, skips, interruption: error }),
  };
}
