/**
 * The account of one call: every attempt with its outcome, the skips, retries and fallbacks,
 * and the events that tell subscribers about each as it happens. The trace is read from it.
 */
import type { AttemptRecord, OutlastError } from '../../errors/index.ts';
import type { Clock } from '../../policy/index.ts';
import type { Usage } from '../../wire/canonical/index.ts';
import type { EventHub, SkipReason, Trace } from '../events.ts';
import type { SkipRecord } from '../final-error.ts';
import type { TargetRef } from '../routes.ts';

/** One finished attempt, as the attempt saw it. */
export interface AttemptReport {
  readonly ref: TargetRef;
  readonly number: number;
  readonly startedAt: number;
  readonly ttftMs: number | undefined;
  readonly outcome: AttemptRecord['outcome'];
  readonly error: OutlastError | undefined;
  readonly waitedMs: number;
  readonly continuation: boolean;
  /** Output tokens the attempt produced that the caller never saw. */
  readonly wastedOutputTokens: number;
  readonly upstreamRequestId: string | undefined;
}

export interface CallLedger {
  readonly records: readonly AttemptRecord[];
  /** Attempts that must never be the final error (prefill rejections, failed continuations). */
  readonly artefacts: Set<AttemptRecord>;
  readonly skips: readonly SkipRecord[];
  /** The largest context window that refused the prompt: no smaller one is tried. */
  contextFloor: number;
  continued: boolean;
  salvaged: boolean;
  /** The target whose answer the caller got (the last one when a stream was continued elsewhere). */
  answeredBy: TargetRef | undefined;
  /** The call's first attempt was hedged: after how long, onto which target, and whether the hedge won. */
  hedge: Trace['hedge'];
  /** A target passed over, and why (an open breaker's opening, a cooldown's cause, when known). */
  skip(ref: TargetRef, reason: SkipReason, why?: Pick<SkipRecord, 'breaker' | 'cooledBy'>): void;
  /** Counts the attempt as a retry or a fallback, announces it, and returns its number. */
  /** `hedge`: the attempt races the call's first one (neither a retry nor a fallback). */
  beginAttempt(
    ref: TargetRef,
    attemptsHere: number,
    continuation: boolean,
    probe: boolean,
    hedge?: boolean,
  ): number;
  endAttempt(report: AttemptReport): AttemptRecord;
  trace(
    outcome: Trace['outcome'],
    failed: boolean,
    wastedInAnswer: number,
    durationMs: number,
    usage?: Usage,
  ): Trace;
}

export function createLedger(hub: EventHub, clock: Clock, requestId: string): CallLedger {
  const records: AttemptRecord[] = [];
  const skips: SkipRecord[] = [];
  let retries = 0;
  let fallbacks = 0;
  let lastTried: { ref: TargetRef; error?: OutlastError } | undefined;
  const label = (ref: TargetRef) => ({ provider: ref.provider, model: ref.model });

  return {
    records,
    artefacts: new Set(),
    skips,
    contextFloor: 0,
    continued: false,
    salvaged: false,
    answeredBy: undefined,
    hedge: undefined,
    skip(ref, reason, why) {
      skips.push({
        ...label(ref),
        reason,
        ...(why?.breaker ? { breaker: why.breaker } : {}),
        ...(why?.cooledBy ? { cooledBy: why.cooledBy } : {}),
      });
      hub.emit({ type: 'skip', requestId, ...label(ref), reason });
    },
    beginAttempt(ref, attemptsHere, continuation, probe, hedge) {
      if (hedge) {
        // Announced by the hedge event; the primary stays the one a later fallback starts from.
      } else if (lastTried && lastTried.ref.key !== ref.key) {
        fallbacks++;
        hub.emit({
          type: 'fallback',
          requestId,
          from: label(lastTried.ref),
          to: label(ref),
          reason: lastTried.error?.kind ?? 'last_resort',
        });
      } else if (attemptsHere > 0) {
        retries++;
      }
      if (!hedge) lastTried = { ref };
      const number = records.length + 1;
      hub.emit({ type: 'attempt_start', requestId, ...label(ref), attempt: number, continuation, probe });
      return number;
    },
    endAttempt(r) {
      const { error } = r;
      if (error) lastTried = { ref: r.ref, error };
      const record: AttemptRecord = {
        ...label(r.ref),
        startedAt: r.startedAt,
        durationMs: clock.now() - r.startedAt,
        ...(r.ttftMs === undefined ? {} : { ttftMs: r.ttftMs }),
        outcome: r.outcome,
        ...(error ? { errorKind: error.kind } : {}),
        ...(error?.status === undefined ? {} : { status: error.status }),
        waitedMs: r.waitedMs,
        ...(r.continuation ? { continuation: true } : {}),
        ...(error && r.wastedOutputTokens > 0 ? { wastedOutputTokens: r.wastedOutputTokens } : {}),
        ...(error ? { error } : {}),
      };
      records.push(record);
      const upstreamRequestId = r.upstreamRequestId || error?.requestId;
      hub.emit({
        type: 'attempt_end',
        requestId,
        ...label(r.ref),
        attempt: r.number,
        outcome: r.outcome === 'skipped' ? 'error' : r.outcome,
        ...(error ? { errorKind: error.kind, error } : {}),
        ...(error?.status === undefined ? {} : { status: error.status }),
        durationMs: record.durationMs,
        ...(r.ttftMs === undefined ? {} : { ttftMs: r.ttftMs }),
        ...(upstreamRequestId ? { upstreamRequestId } : {}),
        continuation: r.continuation,
      });
      return record;
    },
    trace(outcome, failed, wastedInAnswer, durationMs, usage) {
      return {
        ...(usage ? { usage } : {}),
        requestId,
        ...(this.answeredBy && !failed ? { answeredBy: label(this.answeredBy) } : {}),
        attempts: records,
        retries,
        fallbacks,
        breakerSkips: skips,
        continued: this.continued,
        ...(this.hedge ? { hedge: this.hedge } : {}),
        wastedOutputTokens: wastedInAnswer + records.reduce((n, a) => n + (a.wastedOutputTokens ?? 0), 0),
        durationMs,
        outcome,
      };
    },
  };
}
