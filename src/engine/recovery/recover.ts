/**
 * After the commit point: the caller already has part of the answer, so a failure is met by
 * continuing the answer (on the target that broke, unless it broke twice or went silent, then
 * on the others), by salvaging what arrived, or by a typed error, as the caller chose.
 */
import type { OutlastError } from '../../errors/index.ts';
import { isPrefillError, runAttempt } from '../attempt/run-attempt.ts';
import { type CallContext, contextTooSmall, label } from '../call/call-context.ts';
import { buildFinalError } from '../final-error.ts';
import { endsTheCall } from '../routing/decide.ts';
import { DONE, type Outcome } from '../routing/outcome.ts';
import type { TargetState } from '../routing/target-state.ts';
import { buildContinuation } from './continuation-request.ts';

export async function recover(
  ctx: CallContext,
  states: readonly TargetState[],
  from: TargetState,
  firstInterruption: OutlastError,
): Promise<Outcome> {
  const { settings, health, hub, requestId } = ctx.deps;
  const { stitcher } = ctx.answer;
  let interruption = firstInterruption;
  let current = from;
  let used = 0;
  const broke = new Map<TargetState, number>();
  const { onInterrupt, maxContinuations } = settings.stream;
  for (;;) {
    const partial = stitcher.partialContent();
    const stopping = endsTheCall(interruption);
    const canContinue =
      onInterrupt === 'continue' && partial !== undefined && used < maxContinuations && !stopping;
    hub.emit({
      type: 'interruption',
      requestId,
      ...label(current.ref),
      error: interruption,
      action: canContinue ? 'continue' : onInterrupt === 'salvage' && !stopping ? 'salvage' : 'error',
    });
    if (!canContinue || partial === undefined) return endInterrupted(ctx, interruption);
    ctx.ledger.continued = true;
    broke.set(current, (broke.get(current) ?? 0) + 1);
    const start = states.indexOf(current);
    // The target that broke is asked first (it has the context warm), unless it broke before in
    // this call, or went silent: a timeout falls back first and comes back here last (the failure table).
    const silent = interruption.kind === 'timeout';
    const tired = (t: TargetState) => ((broke.get(t) ?? 0) >= 2 || (silent && t === current) ? 1 : 0);
    const order = [...states.slice(start), ...states.slice(0, start)].sort((a, b) => tired(a) - tired(b));
    let progressed = false;
    for (const state of order) {
      if (used >= maxContinuations) break;
      if (contextTooSmall(ctx, state.ref)) continue;
      let prefill =
        health.acceptsPrefill(state.ref.key) ??
        settings.models(state.ref.model).prefill ??
        settings.providers[state.ref.provider]?.type === 'anthropic';
      for (;;) {
        const next = buildContinuation(ctx.request, partial, {
          prefill,
          outputTokensSoFar: stitcher.totalOutputTokens,
        });
        // Taken just before the attempt, which settles whatever the permit holds (a pacing one included).
        const permit = health.acquire(state.ref);
        if (!permit.allowed) {
          ctx.ledger.skip(state.ref, permit.reason);
          break;
        }
        used++;
        const result = await runAttempt(
          ctx,
          state,
          permit,
          next.request,
          { continuation: true, piece: next.piece, prefill },
          0,
        );
        if (result.ok) return DONE;
        if (result.forwarded) {
          interruption = result.error;
          current = state;
          progressed = true;
          break;
        }
        ctx.ledger.artefacts.add(result.record);
        const e = result.error;
        if (endsTheCall(e)) return endInterrupted(ctx, e.kind === 'cancelled' ? e : interruption);
        // A refused prefill is learned once; the same target is asked again without it, at no cost to the budget.
        if (prefill && isPrefillError(ctx, e)) {
          health.markPrefillRejected(state.ref.key);
          prefill = false;
          used--;
          continue;
        }
        break;
      }
      if (progressed) break;
    }
    if (!progressed) return endInterrupted(ctx, interruption);
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
