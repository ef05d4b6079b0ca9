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
  retry: { attempts: number; maxHintMs: number },
): { state: TargetState; untilMs: number } | undefined {
  let best: { state: TargetState; untilMs: number } | undefined;
  for (const state of states) {
    const untilMs = state.coolingUntilMs;
    if (untilMs === undefined || state.attempts >= retry.attempts) continue;
    if (!best || untilMs < best.untilMs) best = { state, untilMs };
  }
  if (!best) return undefined;
  const waitMs = best.untilMs + 1 - now;
  if (waitMs > retry.maxHintMs || waitMs >= remainingMs) return undefined;
  return best;
}

/** Every target was skipped: the one that failed longest ago, or else the one with the largest window. */
export function forcedPick(
  states: readonly TargetState[],
  health: Pick<Health, 'lastFailureAt'>,
  settings: Pick<EngineSettings, 'models'>,
): TargetState | undefined {
  const blocked = states.filter((s) => s.skipped && s.skipped !== 'context_window');
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
