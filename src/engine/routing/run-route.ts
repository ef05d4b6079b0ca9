/**
 * The passes of one call over its route's targets: each in order; then the saturated ones held
 * back as a last resort; then those held back only by a rate-limit cooldown that ends before the
 * deadline; then the silent ones (timeouts), and the cooled ones again; and, when every target
 * was skipped, the one that failed longest ago.
 */

import { SPECIFIC_CODES } from '../../errors/codes.ts';
import { formatDuration, OutlastError } from '../../errors/index.ts';
import type { CallContext } from '../call/call-context.ts';
import { type Outcome, STOP } from './outcome.ts';
import { earliestCooledTarget, forcedPick, soonestCooldownEnd } from './selectors.ts';
import type { TargetState } from './target-state.ts';
import { createTargetStates } from './target-state.ts';
import { tryTarget } from './try-target.ts';

export async function runRoute(ctx: CallContext): Promise<Outcome> {
  const { settings, health, clock } = ctx.deps;
  // A balanced group's members come in this call's order: its pick first, the others as its fallbacks.
  const targets = ctx.deps.balancing?.order(ctx.route) ?? ctx.route.targets;
  const states = createTargetStates(targets, settings.retry);
  const ended = (outcome: Outcome) => outcome.kind !== 'next';

  for (const state of states) {
    const outcome = await tryTarget(ctx, states, state, {});
    if (ended(outcome)) return outcome;
  }
  // Saturated targets (529/503, unhinted 429): retried only now that every other target had its turn.
  const lastResorts = async (silent: boolean): Promise<Outcome | undefined> => {
    for (const state of states) {
      if (!state.lastResort || state.silent !== silent) continue;
      state.lastResort = false;
      const outcome = await tryTarget(ctx, states, state, { lastResort: true });
      if (ended(outcome)) return outcome;
    }
    return undefined;
  };
  // Targets held back only by a rate-limit cooldown: the earliest to come back is waited for
  // when it comes back before the deadline, rather than failing a call that still has time.
  // A target met with a 429 can send the call on to another that comes back sooner: loop
  // until one answers, the attempts run out, or no wait fits.
  const cooled = () => earliestCooledTarget(states, clock.now(), ctx.deadline.remainingMs(), settings.retry);
  const cooledTargets = async (): Promise<Outcome | undefined> => {
    for (let next = cooled(); next; next = cooled()) {
      const { state, untilMs } = next;
      const before = state.attempts;
      const outcome = await tryTarget(ctx, states, state, { afterCooldownUntilMs: untilMs });
      if (ended(outcome)) return outcome;
      // Held back by something else (an open breaker): no longer a cooled target to wait for. Held
      // back by a new cooldown (another call's attempt found the limit again): wait for its end.
      if (state.attempts === before && state.skipped !== 'cooling_down') state.coolingUntilMs = undefined;
    }
    return undefined;
  };
  // Silent targets (timeouts) come after the cooled ones: retrying one costs a whole timeout,
  // waiting for a rate limit's end a second or two.
  for (const pass of [() => lastResorts(false), cooledTargets, () => lastResorts(true), cooledTargets]) {
    const outcome = await pass();
    if (outcome) return outcome;
  }
  // A prompt larger than every target's window cannot be answered anywhere: a 400 at once,
  // rather than sending megabytes to the largest one to be refused.
  if (ctx.ledger.records.length === 0 && states.every((s) => s.skipped === 'context_window')) {
    return { kind: 'stop', error: promptTooLarge(ctx, states) };
  }
  // Nothing answered and a target was passed over only for its breaker, untried by this call:
  // it gets a real attempt (Envoy's panic threshold) rather than the call failing unasked.
  // Each such target is tried, the one that failed longest ago first: with random faults every
  // breaker of a busy route can be open at once, and a call that is otherwise lost gains from each.
  const untriedHeld = () =>
    states.filter(
      (s) => s.attempts === 0 && (s.skipped === 'breaker_open' || s.skipped === 'provider_breaker_open'),
    );
  const panic = async (): Promise<Outcome | undefined> => {
    for (let held = untriedHeld(); held.length > 0 && ctx.deadline.remainingMs() > 0; held = untriedHeld()) {
      const pick = forcedPick(held, health, settings);
      if (!pick) return undefined;
      const outcome = await tryTarget(ctx, states, pick, { forced: true });
      if (ended(outcome)) return outcome;
      if (pick.attempts === 0) return undefined;
    }
    return undefined;
  };
  // Every target was skipped: the one that failed longest ago is tried rather than none.
  if (ctx.ledger.records.length === 0) {
    const pick = forcedPick(states, health, settings);
    if (!pick) {
      const soonest = soonestCooldownEnd(states);
      return soonest === undefined ? STOP : { kind: 'stop', error: everyTargetCooling(ctx, states, soonest) };
    }
    const outcome = await tryTarget(ctx, states, pick, { forced: true });
    if (ended(outcome)) return outcome;
  }
  return (await panic()) ?? STOP;
}

/**
 * Every target is cooling after rate limits for longer than the call may wait: it ends at once,
 * saying when to come back, rather than hold the caller (the gateway answers 429 + retry-after).
 */
function everyTargetCooling(ctx: CallContext, states: readonly TargetState[], untilMs: number): OutlastError {
  const waitMs = Math.max(0, untilMs - ctx.deps.clock.now());
  const soonest = states.find((s) => s.coolingUntilMs === untilMs);
  // Spent quota everywhere is not a rate limit: the client must not be told to just wait.
  const quota = states.every((s) => s.cooledBy === 'quota_exceeded');
  return new OutlastError({
    kind: quota ? 'quota_exceeded' : 'rate_limited',
    code: SPECIFIC_CODES.ALL_TARGETS_COOLING,
    message:
      `every target of ${ctx.route.name} is cooling after ${quota ? "its account's quota ran out" : 'rate limits'}; the soonest` +
      `${soonest ? ` (${soonest.ref.key})` : ''} takes calls again in ${formatDuration(waitMs)}`,
    retryAfterMs: waitMs,
    retryable: true,
    ...(soonest ? { provider: soonest.ref.provider, model: soonest.ref.model } : {}),
  });
}

function promptTooLarge(ctx: CallContext, states: readonly TargetState[]): OutlastError {
  const windows = states.map(
    (s) => `${s.ref.key} ${ctx.deps.settings.models(s.ref.model).contextWindow ?? '?'}`,
  );
  return new OutlastError({
    kind: 'context_length',
    status: 400,
    retryable: false,
    code: SPECIFIC_CODES.PROMPT_TOO_LARGE,
    message: `the prompt is about ${ctx.promptTokens} tokens, larger than the context window of every target of route ${ctx.route.name} (${windows.join(', ')})`,
  });
}
