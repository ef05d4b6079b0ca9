/**
 * When a closed breaker has seen enough to open: the rules as pure functions over its state,
 * so each is tested alone and the state stays plain data a shared store can keep.
 *
 * A breaker exists to stop sending calls to a target that is down. What it must never do is
 * open on a burst from one moment: 50 calls in flight when a pod restarts, whose first 6
 * requests answer 500 together, are 6 failures at the same instant; every one of those calls
 * survives on its retry a moment later, and an open breaker would have refused them. So both
 * ways of opening ask for evidence spread over time, not only a count:
 *
 * - **consecutive failures**: `consecutiveFailures` in a row (default 5) whose run spans at
 *   least `minimumSpanMs` (default 1 s) from its first failure to the latest. A burst shares
 *   one instant; a dead target keeps failing, so it still opens within about `minimumSpanMs`
 *   of its first failure (and after at least 5 failed attempts, however slowly they come).
 * - **failure rate**: at least `failureRate` (default 50%) of the attempts in the window
 *   (default 30 s) failed, the window holds at least `minimumCalls` (default 10) distinct
 *   calls (a call's retries on the same target add attempts, not calls), and its failures
 *   span at least `minimumSpanMs`.
 *
 * Why 1 s: a burst's failures arrive within milliseconds of each other, and the retries of the
 * calls it hit come 250 ms to 1 s later (the default backoff: 500 ms, equal jitter); a span of
 * 1 s is longer than the burst and about as long as a first retry, so the retries decide
 * before the breaker does. A target that is really down costs at most that second of failing
 * attempts before it opens, each of which falls back at once.
 */
import { liveBuckets, type WindowShape } from './sliding-window.ts';

/** One slice of the failure-rate window: outcomes of attempts, distinct calls, and when its first failure came. */
export interface BreakerBucket {
  /** floor(time / bucketMs). */
  readonly index: number;
  readonly counts: {
    readonly successes: number;
    readonly failures: number;
    /** Distinct calls: attempts that were not a call's retry on this target. */
    readonly calls: number;
  };
  /** When the first failure counted in this bucket happened; absent while it holds none. */
  readonly firstFailureAt?: number;
}

export type OpeningReason = 'consecutive_failures' | 'failure_rate';

/** What opened a breaker: the numbers the engine's final error gives ("14 failures in 2 s"). */
export interface BreakerEvidence {
  readonly reason: OpeningReason;
  /** The failures that opened it (the run, or those in the window). */
  readonly failures: number;
  /** From the first of those failures to the one that opened it. */
  readonly spanMs: number;
  /** Failure-rate openings: the distinct calls and the attempts in the window. */
  readonly calls?: number;
  readonly attempts?: number;
}

export interface EvidenceRules {
  readonly consecutiveFailures: number;
  readonly failureRate: number;
  readonly minimumCalls: number;
  readonly minimumSpanMs: number;
  readonly shape: WindowShape;
}

/** The window with one more outcome counted at `nowMs`; `isCall` false for a call's retry. */
export function countOutcome(
  window: readonly BreakerBucket[],
  shape: WindowShape,
  nowMs: number,
  outcome: 'success' | 'failure',
  isCall: boolean,
): BreakerBucket[] {
  const index = Math.floor(nowMs / (shape.windowMs / shape.buckets));
  const live = liveBuckets(window, shape, nowMs) as BreakerBucket[];
  const last = live.at(-1);
  const base: BreakerBucket =
    last && last.index === index ? last : { index, counts: { successes: 0, failures: 0, calls: 0 } };
  const failed = outcome === 'failure';
  const next: BreakerBucket = {
    index,
    counts: {
      successes: base.counts.successes + (failed ? 0 : 1),
      failures: base.counts.failures + (failed ? 1 : 0),
      calls: base.counts.calls + (isCall ? 1 : 0),
    },
    ...(base.firstFailureAt !== undefined
      ? { firstFailureAt: base.firstFailureAt }
      : failed
        ? { firstFailureAt: nowMs }
        : {}),
  };
  if (base === last) live[live.length - 1] = next;
  else live.push(next);
  return live;
}

/** The window's totals at `nowMs`, and when its earliest failure still inside it happened. */
export function windowTotals(
  window: readonly BreakerBucket[],
  shape: WindowShape,
  nowMs: number,
): { successes: number; failures: number; calls: number; firstFailureAt: number | undefined } {
  let successes = 0;
  let failures = 0;
  let calls = 0;
  let firstFailureAt: number | undefined;
  for (const bucket of liveBuckets(window, shape, nowMs) as BreakerBucket[]) {
    successes += bucket.counts.successes;
    failures += bucket.counts.failures;
    calls += bucket.counts.calls;
    if (
      bucket.firstFailureAt !== undefined &&
      (firstFailureAt === undefined || bucket.firstFailureAt < firstFailureAt)
    )
      firstFailureAt = bucket.firstFailureAt;
  }
  return { successes, failures, calls, firstFailureAt };
}

/**
 * Whether a closed breaker that has just counted a failure at `nowMs` should open, and why.
 * `run` is the run of consecutive failures including this one.
 */
export function evidenceToOpen(
  rules: EvidenceRules,
  run: { failures: number; startedAt: number },
  window: readonly BreakerBucket[],
  nowMs: number,
): BreakerEvidence | undefined {
  const runSpan = nowMs - run.startedAt;
  if (run.failures >= rules.consecutiveFailures && runSpan >= rules.minimumSpanMs)
    return { reason: 'consecutive_failures', failures: run.failures, spanMs: runSpan };
  const totals = windowTotals(window, rules.shape, nowMs);
  const attempts = totals.successes + totals.failures;
  if (attempts === 0 || totals.calls < rules.minimumCalls) return undefined;
  if (totals.failures / attempts < rules.failureRate) return undefined;
  const span = totals.firstFailureAt === undefined ? 0 : nowMs - totals.firstFailureAt;
  if (span < rules.minimumSpanMs) return undefined;
  return { reason: 'failure_rate', failures: totals.failures, spanMs: span, calls: totals.calls, attempts };
}
