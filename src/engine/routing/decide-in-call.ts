/**
 * `decide.ts` as one call applies it: the call-wide facts (attempt limits, the deadline, the
 * route's hint wait, the fallbacks ready) filled in from the call's context, and the retry
 * budget's ticket for the retry it allows. Before the commit point and in recovery alike.
 */
import type { OutlastError } from '../../errors/index.ts';
import type { Backoff, RetryBudget } from '../../policy/index.ts';
import type { CallContext } from '../call/call-context.ts';
import { type Decision, decideAfterFailure } from './decide.ts';
import { fallbackReadyAt } from './selectors.ts';
import type { TargetState } from './target-state.ts';

/** A retry the budget allowed, charged only if it fails (see RetryBudget.settleRetry). */
export interface RetryTicket {
  /** Asks the budget for a retry; true when it may go ahead. */
  take(): boolean;
  /** The allowed retry's attempt ended: charged when it failed; a no-op when none was taken. */
  settle(ok: boolean): void;
}

export function createRetryTicket(budget: RetryBudget | undefined): RetryTicket {
  let taken = false;
  return {
    take() {
      taken = budget?.tryAcquireRetry() ?? true;
      return taken;
    },
    settle(ok) {
      if (taken) budget?.settleRetry(ok);
      taken = false;
    },
  };
}

export function decideInCall(
  ctx: CallContext,
  states: readonly TargetState[],
  state: TargetState,
  failure: { error: OutlastError; attemptsHere: number; backoff: Backoff; now: number; ticket: RetryTicket },
): Decision {
  const { settings, health, random } = ctx.deps;
  const r = settings.retry;
  return decideAfterFailure({
    error: failure.error,
    attemptsHere: failure.attemptsHere,
    maxAttempts: r.attempts,
    backoff: failure.backoff,
    remainingMs: ctx.deadline.remainingMs(),
    maxHintMs: r.maxHintMs,
    now: failure.now,
    random,
    fallbackOnContentFilter: ctx.route.fallbackOnContentFilter,
    // A balanced group's members are interchangeable: a sibling not tried yet answers now rather
    // than this member's short hint being waited out.
    hintWaitMs: siblingUntried(ctx, states, state) ? 0 : (ctx.route.hintWaitMs ?? r.hintWaitMs),
    cooldownWaitMs: r.cooldownWaitMs,
    fallbackReadyAtMs: fallbackReadyAt(states, state, failure.now, health, r.attempts),
    acquireRetry: failure.ticket.take,
  });
}

/** Whether `state` is a balanced group's member with a sibling this call has not tried or skipped yet. */
function siblingUntried(ctx: CallContext, states: readonly TargetState[], state: TargetState): boolean {
  const at = states.indexOf(state);
  const group = ctx.route.groups.find((g) => at >= g.start && at < g.start + g.size);
  if (!group) return false;
  return states
    .slice(group.start, group.start + group.size)
    .some((s) => s !== state && s.attempts === 0 && s.skipped === undefined);
}
