/**
 * After a failed attempt (before the commit point): retry the same target, fall back, or
 * stop. The failure table (src/errors/error-kind.ts, docs/architecture.md), applied; pure so
 * that it is tested row by row.
 */
import { cooldownEndOf, type OutlastError, SPECIFIC_CODES, treatmentOf } from '../../errors/index.ts';
import { type Backoff, planRetryWait } from '../../policy/index.ts';

export type Decision =
  | { action: 'retry'; waitMs: number; source: 'hint' | 'backoff'; backoff: Backoff }
  /** `lastResort`: may be retried here once every other target has had its turn. `coolUntilMs`: hinted time. */
  | { action: 'fallback'; lastResort: boolean; coolUntilMs?: number }
  | { action: 'stop' };

export interface DecideInput {
  error: OutlastError;
  /** Attempts made on this target in this call, the failed one included. */
  attemptsHere: number;
  maxAttempts: number;
  backoff: Backoff;
  remainingMs: number;
  maxHintMs: number;
  now: number;
  random: () => number;
  fallbackOnContentFilter: boolean;
  /**
   * When the soonest other target of this call can take an attempt: `now` (or earlier) when one
   * not yet tried is ready, a cooldown's end when it is cooling; undefined when none can.
   */
  fallbackReadyAtMs: number | undefined;
  /**
   * A hint up to this long that fits the deadline is waited out here before falling back (the
   * route's order is the caller's preference); 0 when the route prefers the fastest answer.
   */
  hintWaitMs: number;
  /** How long a spent quota keeps the target cooling; default DEFAULT_QUOTA_COOLDOWN_MS. */
  quotaCooldownMs?: number;
  /**
   * The longest wait for a hint when nothing else is ready: a longer one ends the call with the
   * server's own answer (and its retry-after) rather than hold the caller.
   */
  cooldownWaitMs: number;
  /** Takes one retry from the retry budget; false when spent. Called only when a retry is planned. */
  acquireRetry: () => boolean;
}

/** A request this target's wire format cannot express: the next target, in another format, may. */
export const UNTRANSLATABLE = SPECIFIC_CODES.UNTRANSLATABLE;

/** The caller gave up or the call's deadline passed: nothing more is tried, anywhere. */
export function endsTheCall(error: OutlastError): boolean {
  return error.kind === 'cancelled' || (error.kind === 'timeout' && error.phase === 'deadline');
}

export function decideAfterFailure(input: DecideInput): Decision {
  const { error } = input;
  if (endsTheCall(error)) return { action: 'stop' };
  // Not this target's failure but its format's: another target, in another format, may say it.
  if (error.code === UNTRANSLATABLE) return { action: 'fallback', lastResort: false };
  const treatment = treatmentOf(error.kind, error.phase);
  if (treatment.fallBack === 'no') return { action: 'stop' };
  if (treatment.fallBack === 'if_configured' && !input.fallbackOnContentFilter) return { action: 'stop' };

  const hinted = error.retryAfterMs;
  // Every call keeps off the target until then: a rate limit's hinted time, a spent quota's long cooldown.
  const coolUntilMs = cooldownEndOf(
    error,
    input.now,
    input.quotaCooldownMs === undefined ? {} : { quotaCooldownMs: input.quotaCooldownMs },
  );
  const fallback = (lastResort: boolean): Decision =>
    coolUntilMs === undefined
      ? { action: 'fallback', lastResort }
      : { action: 'fallback', lastResort, coolUntilMs };

  const attemptsLeft = input.attemptsHere < input.maxAttempts;
  if (treatment.retrySameTarget === 'no') return fallback(false);
  if (treatment.retrySameTarget === 'last_resort') return fallback(attemptsLeft);
  // The server said not to retry (x-should-retry: false): another target may still answer.
  if (!attemptsLeft || !error.retryable) return fallback(false);
  const readyAt = input.fallbackReadyAtMs;
  // A short wait the server asked for, on the target the caller put first: waited out here.
  const shortHint = hinted !== undefined && hinted <= input.hintWaitMs && hinted < input.remainingMs;
  if (treatment.fallBackFirst && readyAt !== undefined && !shortHint) {
    // Saturated: a ready fallback answers now; this target is retried after it (a hinted one
    // once its cooldown ends, which the engine waits for when nothing else is left).
    if (readyAt <= input.now) return fallback(coolUntilMs === undefined);
    // Another target comes back before this one's hinted time: the engine waits for the first.
    if (coolUntilMs !== undefined && readyAt < coolUntilMs) return fallback(false);
  }

  const plan = planRetryWait({
    backoff: input.backoff,
    ...(hinted === undefined ? {} : { hint: { retryAfterMs: hinted } }),
    remainingMs: input.remainingMs,
    maxHintMs: Math.min(input.maxHintMs, Math.max(input.hintWaitMs, input.cooldownWaitMs)),
    random: input.random,
  });
  if (plan.kind === 'do_not_wait') return fallback(false);
  // A wait the server asked for paces the retry itself; the budget guards against our own backoff storms.
  if (plan.source === 'backoff' && !input.acquireRetry()) return fallback(false);
  return { action: 'retry', waitMs: plan.delayMs, source: plan.source, backoff: plan.next };
}
