/**
 * Pure choices over a call's target states: which other target is ready soonest, which cooled
 * target to wait for, and which one to force when every target was skipped.
 */
import type { Health } from '../health.ts';
import type { EngineSettings } from '../settings.ts';
import type { TargetState } from './target-state.ts';

/** When the soonest other target can be tried: one not tried yet, or one whose cooldown ends. */
export function fallbackReadyAt(
  states: readonly TargetState[],
  current: TargetState,
  now: number,
  health: Pick<Health, 'readyAt'>,
  maxAttempts: number,
): number | undefined {
  let soonest: number | undefined;
  for (const s of states) {
    if (s === current) continue;
    const at =
      s.attempts === 0 && s.skipped === undefined
        ? health.readyAt(s.ref, now)
        : s.coolingUntilMs !== undefined && s.attempts < maxAttempts
          ? s.coolingUntilMs
          : undefined;
    if (at !== undefined && (soonest === undefined || at < soonest)) soonest = at;
  }
  return soonest;
}

/**
 * The cooled target that comes back first, when waiting for it fits: under the hint cap and
 * finished before the deadline (the same bounds as any hinted wait).
 */
export function earliestCooledTarget(
  states: readonly TargetState[],
  now: number,
  remainingMs: number,
  retry: { attempts: number; maxHintMs: number; cooldownWaitMs: number },
): { state: TargetState; untilMs: number } | undefined {
  let best: { state: TargetState; untilMs: number } | undefined;
  for (const state of states) {
    const untilMs = state.coolingUntilMs;
    if (untilMs === undefined || state.attempts >= retry.attempts) continue;
    if (!best || untilMs < best.untilMs) best = { state, untilMs };
  }
  if (!best) return undefined;
  const waitMs = best.untilMs + 1 - now;
  if (waitMs > retry.maxHintMs || waitMs > retry.cooldownWaitMs || waitMs >= remainingMs) return undefined;
  return best;
}

/** The soonest end of a cooldown that holds one of the call's targets back, if any does. */
export function soonestCooldownEnd(states: readonly TargetState[]): number | undefined {
  let soonest: number | undefined;
  for (const s of states) {
    if (s.coolingUntilMs !== undefined && (soonest === undefined || s.coolingUntilMs < soonest))
      soonest = s.coolingUntilMs;
  }
  return soonest;
}

/**
 * Every target was skipped, and the call still gets a real attempt (Envoy's panic threshold:
 * health is ignored when none of it is left): the breaker-held target that failed longest ago,
 * or else the one with the largest window. A target cooling after a rate limit is not forced:
 * the server said when it takes calls again (the cooled pass waited for it when that fitted).
 */
export function forcedPick(
  states: readonly TargetState[],
  health: Pick<Health, 'lastFailureAt'>,
  settings: Pick<EngineSettings, 'models'>,
): TargetState | undefined {
  const blocked = states.filter((s) => s.skipped === 'breaker_open' || s.skipped === 'provider_breaker_open');
  if (states.some((s) => s.skipped === 'cooling_down') && blocked.length === 0) return undefined;
  if (blocked.length > 0) {
    const at = (s: TargetState) => health.lastFailureAt(s.ref.key) ?? Number.NEGATIVE_INFINITY;
    return blocked.reduce((best, s) => (at(s) < at(best) ? s : best));
  }
  const window = (s: TargetState) => settings.models(s.ref.model).contextWindow ?? 0;
  return states.reduce<TargetState | undefined>(
    (best, s) => (!best || window(s) > window(best) ? s : best),
    undefined,
  );
}
