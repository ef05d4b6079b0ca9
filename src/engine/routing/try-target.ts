/**
 * One target's attempts within a call: until it answers, must be left for the next target, or
 * the call must stop. Before the commit point a failure is decided by `decide.ts` (retry here,
 * fall back, stop); after it, the answer goes to recovery.
 */

import { cooldownEndOf } from '../../errors/index.ts';
import { planRetryWait } from '../../policy/index.ts';
import { ADMITTED, FORCED, isBreakerReason, runAttempt } from '../attempt/run-attempt.ts';
import { type CallContext, contextTooSmall, untilSettled, waitToRetry } from '../call/call-context.ts';
import type { TargetPermit } from '../health.ts';
import { recover } from '../recovery/recover.ts';
import { createRetryTicket, decideInCall } from './decide-in-call.ts';
import { runHedged } from './hedge.ts';
import { DONE, NEXT, type Outcome, STOP } from './outcome.ts';
import { PACING_REASON } from './pacing.ts';
import { fallbackReadyAt } from './selectors.ts';
import type { TargetState } from './target-state.ts';

export interface TryHow {
  /** A saturated or silent target, retried now that every other target had its turn. */
  lastResort?: boolean;
  /** Every target was skipped: this one is tried whatever holds it back. */
  forced?: boolean;
  /** The target is cooling until then: wait for it first. */
  afterCooldownUntilMs?: number;
}

export async function tryTarget(
  ctx: CallContext,
  states: readonly TargetState[],
  state: TargetState,
  how: TryHow,
): Promise<Outcome> {
  const { ref } = state;
  const { settings, health, clock, budget, random } = ctx.deps;
  if (!how.forced && contextTooSmall(ctx, ref)) {
    state.skipped = 'context_window';
    ctx.ledger.skip(ref, 'context_window');
    return NEXT;
  }
  let waited = 0;
  // True once this call has waited the hint its own 429 gave: a cooldown that other calls' 429s
  // extended meanwhile must not turn the paid-for wait into a skip.
  let paced = false;
  // True once this call has waited for the target (its hint or its cooldown): when another call's
  // attempt is finding out whether the limit has passed, this one waits for the verdict.
  let returning = false;
  // A retry the retry budget allowed whose attempt has not settled yet: charged if it fails.
  const ticket = createRetryTicket(budget);
  if (how.afterCooldownUntilMs !== undefined) {
    // Waiting out a hinted cooldown is the server's own pacing: it spends no retry budget. A
    // cooldown renewed meanwhile (the limit found again) holds the call back: it waits again.
    const waitMs = Math.max(0, how.afterCooldownUntilMs + 1 - clock.now());
    await waitToRetry(ctx, state.ref, state.attempts + 1, waitMs, 'hint');
    waited = waitMs;
    returning = true;
  }
  if (how.lastResort) {
    const plan = planRetryWait({
      backoff: state.backoff,
      remainingMs: ctx.deadline.remainingMs(),
      maxHintMs: settings.retry.maxHintMs,
      random,
    });
    if (plan.kind === 'do_not_wait' || !ticket.take()) return NEXT;
    await waitToRetry(ctx, state.ref, state.attempts + 1, plan.delayMs, plan.source);
    state.backoff = plan.next;
    waited = plan.delayMs;
  }
  for (;;) {
    let permit = how.forced
      ? FORCED
      : (paceHold(ctx, state) ?? health.acquire(ref, { ignoreCooldown: paced, retry: state.attempts > 0 }));
    if (!permit.allowed && permit.pacingVerdict && returning) {
      // This call has waited what the server asked, and another call is finding out whether the
      // limit has passed: wait for its verdict (moments: its first response) rather than go at
      // a limit that has just reset together; rate-limited again, wait for the new end.
      const coolUntilMs = await untilSettled(ctx, permit.pacingVerdict);
      if (coolUntilMs === undefined) continue;
      permit = { allowed: false, reason: 'cooling_down', retryAtMs: coolUntilMs };
    }
    if (!permit.allowed && state.attempts > 0 && isBreakerReason(permit.reason)) {
      // This call was admitted to the target before its breaker opened: the breaker protects the
      // target from new calls, not from this call's own retries. A ready fallback goes first and
      // this target comes back as a last resort; with none, the retry goes ahead.
      const now = clock.now();
      const readyAt = fallbackReadyAt(states, state, now, health, settings.retry.attempts);
      if (!how.lastResort && readyAt !== undefined && readyAt <= now) {
        state.lastResort = true;
        ctx.ledger.skip(ref, permit.reason, permit);
        return NEXT;
      }
      permit = ADMITTED;
    }
    if (!permit.allowed) {
      state.skipped = permit.reason;
      if (permit.reason === 'cooling_down') {
        state.coolingUntilMs = permit.retryAtMs;
        if (permit.cooledBy !== undefined) state.cooledBy = permit.cooledBy;
      }
      ctx.ledger.skip(ref, permit.reason, permit);
      return NEXT;
    }
    // The call's first attempt may race a hedge; the winner is the one the call goes on from.
    const hedged =
      ctx.hedge && !how.forced && ctx.ledger.records.length === 0
        ? await runHedged(ctx, ctx.hedge, states, state, permit, waited)
        : undefined;
    const result =
      hedged?.result ?? (await runAttempt(ctx, state, permit, ctx.request, { continuation: false }, waited));
    ticket.settle(result.ok || result.forwarded || result.error.kind === 'cancelled');
    if (result.ok) return DONE;
    if (result.forwarded) return recover(ctx, states, hedged?.state ?? state, result.error);
    const { error } = result;
    const now = clock.now();
    // Other calls keep off a rate-limited target until its hinted time, whatever this call does next.
    state.coolingUntilMs = cooldownEndOf(error, now);
    state.cooledBy = error.kind;
    if (state.coolingUntilMs !== undefined) health.coolUntil(ref.key, state.coolingUntilMs, error.kind);
    if (error.kind === 'context_length') {
      ctx.ledger.contextFloor = Math.max(
        ctx.ledger.contextFloor,
        settings.models(ref.model).contextWindow ?? 0,
      );
    }
    const decision = decideInCall(ctx, states, state, {
      error,
      attemptsHere: state.attempts,
      backoff: state.backoff,
      now,
      ticket,
    });
    if (decision.action === 'stop') return STOP;
    if (decision.action === 'fallback') {
      // decision.coolUntilMs is the cooldownEndOf applied above: the target already cools until then.
      state.lastResort = decision.lastResort;
      state.silent = error.kind === 'timeout';
      return NEXT;
    }
    await waitToRetry(ctx, state.ref, state.attempts + 1, decision.waitMs, decision.source);
    state.backoff = decision.backoff;
    waited = decision.waitMs;
    paced = decision.source === 'hint';
    returning = paced;
  }
}

/**
 * The target's own rate-limit headers (and what this instance sent since) say it has no room for
 * this call: held back as a cooldown would (another target, or a wait for it), even after a hint
 * waited out, since going anyway would spend an attempt on a 429 the headers foretold.
 */
function paceHold(ctx: CallContext, state: TargetState): TargetPermit | undefined {
  const hold = ctx.deps.pacing?.holdFor(state.ref.key, ctx.promptTokens);
  if (!hold) return undefined;
  return { allowed: false, reason: 'cooling_down', retryAtMs: hold.untilMs, cooledBy: PACING_REASON };
}
