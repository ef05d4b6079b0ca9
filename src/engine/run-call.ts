/**
 * One call over its route: targets × attempts × policies, the commit point, stream recovery,
 * and the trace. Failures before the commit point are retried or failed over invisibly; after
 * it, the answer is continued (or salvaged, or failed) as the caller chose.
 */
import { type AttemptRecord, OutlastError, toOutlastError, treatmentOf } from '../errors/index.ts';
import {
  abortReason,
  type Backoff,
  type Clock,
  createBackoff,
  createDeadline,
  type Deadline,
  planRetryWait,
  type RetryBudget,
} from '../policy/index.ts';
import {
  type CanonicalRequest,
  type CanonicalResponse,
  isContentPart,
  type StreamPart,
} from '../wire/canonical/index.ts';
import type { ClientCodec } from '../wire/codec.ts';
import { createAssembler } from './assemble.ts';
import { createChannel, forEachQueued } from './channel.ts';
import type { ProviderType, TimeoutOption } from './config.ts';
import { buildContinuation, looksLikePrefillRejection } from './continuation.ts';
import { decideAfterFailure } from './decide.ts';
import { estimatePromptTokens } from './estimate-tokens.ts';
import type { EventHub, SkipReason, Trace } from './events.ts';
import { buildFinalError } from './final-error.ts';
import type { Health, TargetPermit } from './health.ts';
import { type ResolvedRoute, resolveRoute, type TargetRef } from './routes.ts';
import type { EngineSettings } from './settings.ts';
import type { PieceOptions } from './stitch.ts';
import { createStitcher } from './stitch.ts';
import { type CallTimeouts, jsonPhaseBudgets, resolveTimeouts, toPhaseBudgets } from './timeouts.ts';
import type { EngineTransport, EngineUpstreamStream } from './upstream.ts';

export interface CallOptions {
  signal?: AbortSignal;
  timeout?: TimeoutOption;
}

export interface EngineCall extends AsyncIterable<StreamPart> {
  /** Settles at the commit point: the target answering, or the final error if the call fails before any content. */
  readonly committed: Promise<{ provider: string; model: string; attempts: number }>;
  /** The whole answer assembled (consumes the parts if nobody iterates). */
  response(): Promise<CanonicalResponse>;
  /** Resolves when the call ends, whatever the outcome. */
  readonly trace: Promise<Trace>;
  /** Aborts everything, upstream sockets included. */
  cancel(reason?: unknown): void;
  /** Ours, one per call. */
  readonly requestId: string;
  /**
   * For whoever iterates the call: the next part when one is already waiting, without a
   * promise (undefined when the iterator would have to wait). The parts and their order are
   * the iterator's; the end or the error still comes from the iterator.
   */
  pull?(): StreamPart | undefined;
}

export interface CallDeps {
  settings: EngineSettings;
  health: Health;
  hub: EventHub;
  transport: EngineTransport;
  clock: Clock;
  random: () => number;
  codecFor: (type: ProviderType) => ClientCodec;
  isPrefillRejection?: (error: OutlastError) => boolean;
  budget: RetryBudget | undefined;
  requestId: string;
}

export const DEFAULT_BASE_URLS: Readonly<Record<ProviderType, string>> = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com/v1',
  gemini: 'https://generativelanguage.googleapis.com',
};

interface TargetState {
  readonly ref: TargetRef;
  attempts: number;
  backoff: Backoff;
  lastResort: boolean;
  skipped?: SkipReason;
  /** When a rate-limit cooldown (this call's 429 or another call's) lets this target be tried again. */
  coolingUntilMs?: number;
}

type AttemptMode = { continuation: false } | { continuation: true; piece: PieceOptions; prefill: boolean };
type AttemptResult =
  | { ok: true }
  | { ok: false; error: OutlastError; forwarded: boolean; record: AttemptRecord };
type Outcome = 'done' | 'next' | 'stop';

/** A request this target's wire format cannot express: the next target, in another format, may. */
export const UNTRANSLATABLE = 'OUTLAST_UNTRANSLATABLE';

const FORCED: TargetPermit = { allowed: true, probe: false, pacing: false, release() {}, settlePacing() {} };

/** Ends the run from deep inside: carries the error that ends the call. */
class Stop {
  readonly error: OutlastError | undefined;
  constructor(error?: OutlastError) {
    this.error = error;
  }
}

function cancelledBy(reason: unknown, message: string): OutlastError {
  if (OutlastError.isInstance(reason)) return reason;
  return new OutlastError({ kind: 'cancelled', message, cause: reason });
}

export function startCall(deps: CallDeps, request: CanonicalRequest, options: CallOptions = {}): EngineCall {
  const { settings, health, hub, transport, clock, requestId } = deps;
  const controller = new AbortController();
  const cancel = (reason?: unknown) => {
    if (!controller.signal.aborted) {
      controller.abort(cancelledBy(reason, 'the call was cancelled by the caller'));
    }
  };
  const onCallerAbort = () => cancel(options.signal?.reason);
  if (options.signal?.aborted) onCallerAbort();
  else options.signal?.addEventListener('abort', onCallerAbort, { once: true });

  const assembler = createAssembler();
  const channel = createChannel<StreamPart>(() =>
    cancel(new OutlastError({ kind: 'cancelled', message: 'the caller stopped reading the answer' })),
  );
  const emitPart = (part: StreamPart) => {
    assembler.push(part);
    channel.push(part);
  };
  const stitcher = createStitcher(emitPart);

  let resolveCommitted!: (v: { provider: string; model: string; attempts: number }) => void;
  let rejectCommitted!: (e: unknown) => void;
  const committed = new Promise<{ provider: string; model: string; attempts: number }>((res, rej) => {
    resolveCommitted = res;
    rejectCommitted = rej;
  });
  committed.catch(() => {});

  const startedAt = clock.now();
  const records: AttemptRecord[] = [];
  const artefacts = new Set<AttemptRecord>();
  const skips: Array<{ provider: string; model: string; reason: SkipReason }> = [];
  let retries = 0;
  let fallbacks = 0;
  let continued = false;
  let isCommitted = false;
  let lastTried: { ref: TargetRef; error?: OutlastError } | undefined;
  let answeredBy: TargetRef | undefined;
  let salvaged = false;
  let contextFloor = 0;
  let finalError: OutlastError | undefined;
  let deadline: Deadline | undefined;
  let timeouts: CallTimeouts | undefined;
  let route: ResolvedRoute | undefined;
  let promptTokens = 0;

  const label = (ref: TargetRef) => ({ provider: ref.provider, model: ref.model });
  // A non-streaming call asks the upstream for a stream too (the first-token and idle timeouts
  // then catch a dead model early), unless the settings say to ask for one JSON body.
  const streamUpstream = request.stream === true || settings.stream.upstream === 'always';

  const skip = (ref: TargetRef, reason: SkipReason) => {
    skips.push({ ...label(ref), reason });
    hub.emit({ type: 'skip', requestId, ...label(ref), reason });
  };

  const contextTooSmall = (ref: TargetRef): boolean => {
    const window = settings.models(ref.model).contextWindow;
    if (window === undefined) return false;
    return promptTokens > window || window <= contextFloor;
  };

  const commit = (ref: TargetRef) => {
    isCommitted = true;
    answeredBy = ref;
    stitcher.beginPiece();
    resolveCommitted({ ...label(ref), attempts: records.length + 1 });
  };

  const normalise = (
    e: unknown,
    ref: TargetRef,
    scope: { signal: AbortSignal } | undefined,
  ): OutlastError => {
    let error = toOutlastError(e, label(ref));
    if (scope?.signal.aborted && error.kind !== 'timeout') {
      const reason = abortReason(scope.signal);
      if (reason.kind === 'timeout' || reason.kind === 'cancelled') error = reason;
    }
    if (!error.provider || !error.model) error = error.with({ ...label(ref) });
    return error;
  };

  async function attempt(
    state: TargetState,
    permit: Extract<TargetPermit, { allowed: true }>,
    body: CanonicalRequest,
    mode: AttemptMode,
    waitedMs: number,
  ): Promise<AttemptResult> {
    const { ref } = state;
    if (lastTried && lastTried.ref.key !== ref.key) {
      fallbacks++;
      hub.emit({
        type: 'fallback',
        requestId,
        from: label(lastTried.ref),
        to: label(ref),
        reason: lastTried.error?.kind ?? 'last_resort',
      });
    } else if (state.attempts > 0) {
      retries++;
    }
    state.attempts++;
    lastTried = { ref };
    const number = records.length + 1;
    hub.emit({
      type: 'attempt_start',
      requestId,
      ...label(ref),
      attempt: number,
      continuation: mode.continuation,
      probe: permit.probe,
    });
    const provider = settings.providers[ref.provider]!;
    const t0 = clock.now();
    let ttftMs: number | undefined;
    let upstream: EngineUpstreamStream | undefined;
    let scope: ReturnType<Deadline['attempt']> | undefined;
    let forwardedHere = false;
    let began = false;
    let completed = false;
    let outputTokens = 0;
    const finish = (
      outcome: AttemptRecord['outcome'],
      error?: OutlastError,
    ): AttemptRecord & { upstreamRequestId?: string } => {
      const record: AttemptRecord = {
        ...label(ref),
        startedAt: t0,
        durationMs: clock.now() - t0,
        ...(ttftMs === undefined ? {} : { ttftMs }),
        outcome,
        ...(error ? { errorKind: error.kind } : {}),
        ...(error?.status === undefined ? {} : { status: error.status }),
        waitedMs,
        ...(mode.continuation ? { continuation: true } : {}),
        ...(error && !forwardedHere && outputTokens > 0 ? { wastedOutputTokens: outputTokens } : {}),
        ...(error ? { error } : {}),
      };
      records.push(record);
      hub.emit({
        type: 'attempt_end',
        requestId,
        ...label(ref),
        attempt: number,
        outcome: outcome === 'skipped' ? 'error' : outcome,
        ...(error ? { errorKind: error.kind, error } : {}),
        ...(error?.status === undefined ? {} : { status: error.status }),
        durationMs: record.durationMs,
        ...(ttftMs === undefined ? {} : { ttftMs }),
        ...(upstream?.requestId ? { upstreamRequestId: upstream.requestId } : {}),
        ...(!upstream?.requestId && error?.requestId ? { upstreamRequestId: error.requestId } : {}),
        continuation: mode.continuation,
      });
      return record;
    };

    try {
      const codec = deps.codecFor(provider.type);
      let spec: ReturnType<typeof codec.encodeRequest>;
      try {
        spec = codec.encodeRequest(
          { ...body, model: ref.model, stream: streamUpstream },
          { model: ref.model, stream: streamUpstream },
        );
      } catch (e) {
        // This target's format cannot say what the request asks for; another format may.
        throw toOutlastError(e, label(ref)).with({ code: UNTRANSLATABLE, retryable: false });
      }
      scope = deadline!.attempt(
        streamUpstream ? toPhaseBudgets(timeouts!.budgets) : jsonPhaseBudgets(timeouts!.budgets),
        label(ref),
      );
      upstream = await transport.stream({
        ...(streamUpstream ? {} : { answer: 'json' as const }),
        target: {
          ...label(ref),
          baseURL: provider.baseURL ?? DEFAULT_BASE_URLS[provider.type],
          codec,
          ...(provider.apiKey === undefined ? {} : { apiKey: provider.apiKey }),
          ...(provider.headers ? { headers: provider.headers } : {}),
        },
        request: spec,
        scope,
      });
      // An answer has begun: the limit this attempt was pacing has passed.
      permit.settlePacing();
      if (mode.continuation) {
        stitcher.beginPiece(mode.piece);
        began = true;
      }
      const held: StreamPart[] = [];
      // The parts already decoded from one network read are taken without a promise each.
      await forEachQueued(upstream, (part) => {
        if (part.type === 'error') throw part.error;
        if (part.type === 'message_delta' && part.usage?.outputTokens !== undefined)
          outputTokens = part.usage.outputTokens;
        if (ttftMs === undefined && isContentPart(part)) ttftMs = clock.now() - t0;
        if (!mode.continuation && !isCommitted) {
          held.push(part);
          if (isContentPart(part) || part.type === 'message_stop') {
            commit(ref);
            forwardedHere = true;
            for (const p of held) stitcher.push(p);
            held.length = 0;
          }
          return undefined;
        }
        stitcher.push(part);
        if (mode.continuation && stitcher.pieceForwarded) forwardedHere = true;
        return undefined;
      });
      if (!mode.continuation && !isCommitted) {
        commit(ref);
        forwardedHere = true;
        for (const p of held) stitcher.push(p);
      }
      stitcher.finish();
      completed = true;
      answeredBy = ref;
      permit.release('success');
      health.record(ref, { ok: true, latencyMs: clock.now() - t0 });
      finish('success');
      return { ok: true };
    } catch (e) {
      const error = normalise(e, ref, scope);
      if (mode.continuation) forwardedHere = began && stitcher.pieceForwarded;
      if (forwardedHere || began) stitcher.interruptPiece();
      const cancelled = error.kind === 'cancelled';
      const treatment = treatmentOf(error.kind, error.phase);
      permit.settlePacing(
        treatment.coolsDown && error.retryAfterMs !== undefined
          ? clock.now() + error.retryAfterMs
          : undefined,
      );
      const prefillRejected = mode.continuation && mode.prefill && isPrefillError(error);
      permit.release(
        cancelled || prefillRejected || !treatment.breakerCounts ? 'ignored' : 'failure',
        error.kind,
        treatment.longCooldown,
      );
      if (!cancelled)
        health.record(ref, { ok: false, kind: error.kind, status: error.status, message: error.message });
      lastTried = { ref, error };
      const record = finish(cancelled ? 'cancelled' : 'error', error);
      return { ok: false, error, forwarded: forwardedHere, record };
    } finally {
      permit.settlePacing();
      // A stream read to its end has already given its connection back to the pool.
      if (!completed) upstream?.cancel();
      scope?.dispose();
    }
  }

  const isPrefillError = (error: OutlastError) => looksLikePrefillRejection(error, deps.isPrefillRejection);

  const sleep = async (ms: number) => {
    if (ms > 0) await clock.sleep(ms, deadline!.signal);
    if (deadline!.signal.aborted) throw deadline!.signal.reason;
  };

  /** A promise's value, unless the deadline or the caller ends the call first. */
  const untilSettled = <T>(promise: Promise<T>): Promise<T> => {
    const signal = deadline!.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      void promise.then((value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      });
    });
  };

  /** Announces a retry of the target and waits for it (the deadline or the caller cuts the wait short). */
  const waitToRetry = async (state: TargetState, waitMs: number, source: 'hint' | 'backoff') => {
    hub.emit({ type: 'retry', requestId, ...label(state.ref), attempt: state.attempts + 1, waitMs, source });
    await sleep(waitMs);
  };

  /** Attempts on one target until it answers, must be left, or the call must stop. */
  async function tryTarget(
    state: TargetState,
    how: { lastResort?: boolean; forced?: boolean; afterCooldownUntilMs?: number },
  ): Promise<Outcome> {
    const { ref } = state;
    if (!how.forced && contextTooSmall(ref)) {
      state.skipped = 'context_window';
      skip(ref, 'context_window');
      return 'next';
    }
    let waited = 0;
    // True once this call has waited the hint its own 429 gave: a cooldown that other calls' 429s
    // extended meanwhile must not turn the paid-for wait into a skip.
    let paced = false;
    // True once this call has waited for the target (its hint or its cooldown): when another call's
    // attempt is finding out whether the limit has passed, this one waits for the verdict.
    let returning = false;
    if (how.afterCooldownUntilMs !== undefined) {
      // Waiting out a hinted cooldown is the server's own pacing: it spends no retry budget. A
      // cooldown renewed meanwhile (the limit found again) holds the call back: it waits again.
      const waitMs = Math.max(0, how.afterCooldownUntilMs + 1 - clock.now());
      await waitToRetry(state, waitMs, 'hint');
      waited = waitMs;
      returning = true;
    }
    if (how.lastResort) {
      const plan = planRetryWait({
        backoff: state.backoff,
        remainingMs: deadline!.remainingMs(),
        maxHintMs: settings.retry.maxHintMs,
        random: deps.random,
      });
      if (plan.kind === 'do_not_wait' || !(deps.budget?.tryAcquireRetry() ?? true)) return 'next';
      await waitToRetry(state, plan.delayMs, plan.source);
      state.backoff = plan.next;
      waited = plan.delayMs;
    }
    for (;;) {
      let permit = how.forced ? FORCED : health.acquire(ref, { ignoreCooldown: paced });
      if (!permit.allowed && permit.pacingVerdict && returning) {
        // This call has waited what the server asked, and another call is finding out whether the
        // limit has passed: wait for its verdict (moments: its first response) rather than go at
        // a limit that has just reset together; rate-limited again, wait for the new end.
        const coolUntilMs = await untilSettled(permit.pacingVerdict);
        if (coolUntilMs === undefined) continue;
        permit = { allowed: false, reason: 'cooling_down', retryAtMs: coolUntilMs };
      }
      if (!permit.allowed) {
        state.skipped = permit.reason;
        if (permit.reason === 'cooling_down') state.coolingUntilMs = permit.retryAtMs;
        skip(ref, permit.reason);
        return 'next';
      }
      const result = await attempt(state, permit, request, { continuation: false }, waited);
      if (result.ok) return 'done';
      if (result.forwarded) return recover(state, result.error);
      const { error } = result;
      // Other calls keep off a rate-limited target until its hinted time, whatever this call does next.
      if (treatmentOf(error.kind, error.phase).coolsDown && error.retryAfterMs !== undefined) {
        state.coolingUntilMs = clock.now() + error.retryAfterMs;
        health.coolUntil(ref.key, state.coolingUntilMs, error.kind);
      } else {
        // Failed for another reason: not a target to wait for any more.
        state.coolingUntilMs = undefined;
      }
      if (error.kind === 'context_length') {
        contextFloor = Math.max(contextFloor, settings.models(ref.model).contextWindow ?? 0);
      }
      const now = clock.now();
      const decision = decideAfterFailure({
        error,
        attemptsHere: state.attempts,
        maxAttempts: settings.retry.attempts,
        backoff: state.backoff,
        remainingMs: deadline!.remainingMs(),
        maxHintMs: settings.retry.maxHintMs,
        now,
        random: deps.random,
        fallbackOnContentFilter: route!.fallbackOnContentFilter,
        fallbackReadyAtMs: fallbackReadyAt(state, now),
        acquireRetry: () => deps.budget?.tryAcquireRetry() ?? true,
      });
      if (decision.action === 'stop' && error.code !== UNTRANSLATABLE) throw new Stop();
      if (decision.action === 'stop') return 'next';
      if (decision.action === 'fallback') {
        if (decision.coolUntilMs !== undefined) health.coolUntil(ref.key, decision.coolUntilMs, error.kind);
        state.lastResort = decision.lastResort;
        return 'next';
      }
      await waitToRetry(state, decision.waitMs, decision.source);
      state.backoff = decision.backoff;
      waited = decision.waitMs;
      paced = decision.source === 'hint';
      returning = paced;
    }
  }

  /** After the commit point: continue the answer elsewhere or on the same target, or end it. */
  async function recover(from: TargetState, interruption: OutlastError): Promise<Outcome> {
    const states = targetStates;
    let current = from;
    let used = 0;
    const broke = new Map<TargetState, number>();
    const { onInterrupt, maxContinuations } = settings.stream;
    for (;;) {
      const partial = stitcher.partialContent();
      const stopping =
        interruption.kind === 'cancelled' ||
        (interruption.kind === 'timeout' && interruption.phase === 'deadline');
      const canContinue =
        onInterrupt === 'continue' && partial !== undefined && used < maxContinuations && !stopping;
      hub.emit({
        type: 'interruption',
        requestId,
        ...label(current.ref),
        error: interruption,
        action: canContinue ? 'continue' : onInterrupt === 'salvage' && !stopping ? 'salvage' : 'error',
      });
      if (!canContinue) return endInterrupted(interruption);
      continued = true;
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
        if (contextTooSmall(state.ref)) continue;
        let prefill =
          health.acceptsPrefill(state.ref.key) ??
          settings.models(state.ref.model).prefill ??
          settings.providers[state.ref.provider]?.type === 'anthropic';
        for (;;) {
          const next = buildContinuation(request, partial!, {
            prefill,
            outputTokensSoFar: stitcher.totalOutputTokens,
          });
          // Taken just before the attempt, which settles whatever the permit holds (a pacing one included).
          const permit = health.acquire(state.ref);
          if (!permit.allowed) {
            skip(state.ref, permit.reason);
            break;
          }
          used++;
          const result = await attempt(
            state,
            permit,
            next.request,
            { continuation: true, piece: next.piece, prefill },
            0,
          );
          if (result.ok) return 'done';
          if (result.forwarded) {
            interruption = result.error;
            current = state;
            progressed = true;
            break;
          }
          artefacts.add(result.record);
          const e = result.error;
          if (e.kind === 'cancelled' || (e.kind === 'timeout' && e.phase === 'deadline')) {
            return endInterrupted(e.kind === 'cancelled' ? e : interruption);
          }
          // A refused prefill is learned once; the same target is asked again without it, at no cost to the budget.
          if (prefill && isPrefillError(e)) {
            health.markPrefillRejected(state.ref.key);
            prefill = false;
            used--;
            continue;
          }
          break;
        }
        if (progressed) break;
      }
      if (!progressed) return endInterrupted(interruption);
    }
  }

  function endInterrupted(error: OutlastError): Outcome {
    if (error.kind !== 'cancelled' && settings.stream.onInterrupt === 'salvage') {
      stitcher.salvage();
      salvaged = true;
      return 'done';
    }
    throw new Stop(
      error.kind === 'cancelled'
        ? error
        : buildFinalError({ attempts: records, artefacts, skips, interruption: error }),
    );
  }

  let targetStates: TargetState[] = [];

  async function run(): Promise<void> {
    route = resolveRoute(request.model, settings.routes, settings.providers);
    timeouts = resolveTimeouts(request, settings.timeout, options.timeout);
    deadline = createDeadline({ clock, signal: controller.signal, timeoutMs: timeouts.deadlineMs });
    deps.budget?.recordRequest();
    promptTokens = estimatePromptTokens(request);
    const r = settings.retry;
    targetStates = route.targets.map((ref) => ({
      ref,
      attempts: 0,
      backoff: createBackoff({ baseMs: r.baseMs, capMs: r.capMs, jitter: r.jitter }),
      lastResort: false,
    }));
    for (const state of targetStates) {
      if ((await tryTarget(state, {})) === 'done') return;
    }
    // Silent or saturated targets (timeouts, 529/503, unhinted 429): retried only now that every
    // other target had its turn.
    for (const state of targetStates) {
      if (!state.lastResort) continue;
      state.lastResort = false;
      if ((await tryTarget(state, { lastResort: true })) === 'done') return;
    }
    // Targets held back only by a rate-limit cooldown: the earliest to come back is waited for
    // when it comes back before the deadline, rather than failing a call that still has time.
    // A target met with a 429 can send the call on to another that comes back sooner: loop
    // until one answers, the attempts run out, or no wait fits.
    for (let cooled = earliestCooledTarget(); cooled; cooled = earliestCooledTarget()) {
      const before = cooled.attempts;
      if ((await tryTarget(cooled, { afterCooldownUntilMs: cooled.coolingUntilMs! })) === 'done') return;
      // Held back by something else (an open breaker): no longer a cooled target to wait for. Held
      // back by a new cooldown (another call's attempt found the limit again): wait for its end.
      if (cooled.attempts === before && cooled.skipped !== 'cooling_down') cooled.coolingUntilMs = undefined;
    }
    // Every target was skipped: the one that failed longest ago is tried rather than none.
    if (records.length === 0) {
      const pick = forcedPick(targetStates);
      if (pick && (await tryTarget(pick, { forced: true })) === 'done') return;
    }
    throw new Stop();
  }

  /** When the soonest other target can be tried: one not tried yet, or one whose cooldown ends. */
  function fallbackReadyAt(current: TargetState, now: number): number | undefined {
    let soonest: number | undefined;
    for (const s of targetStates) {
      if (s === current) continue;
      const at =
        s.attempts === 0 && s.skipped === undefined
          ? health.readyAt(s.ref, now)
          : s.coolingUntilMs !== undefined && s.attempts < settings.retry.attempts
            ? s.coolingUntilMs
            : undefined;
      if (at !== undefined && (soonest === undefined || at < soonest)) soonest = at;
    }
    return soonest;
  }

  function earliestCooledTarget(): TargetState | undefined {
    let best: TargetState | undefined;
    for (const s of targetStates) {
      if (s.coolingUntilMs === undefined || s.attempts >= settings.retry.attempts) continue;
      if (!best || s.coolingUntilMs < best.coolingUntilMs!) best = s;
    }
    if (!best) return undefined;
    const waitMs = best.coolingUntilMs! + 1 - clock.now();
    // The same bounds as any hinted wait: under the hint cap, and finished before the deadline.
    if (waitMs > settings.retry.maxHintMs || waitMs >= deadline!.remainingMs()) return undefined;
    return best;
  }

  function forcedPick(states: TargetState[]): TargetState | undefined {
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

  const done = (async (): Promise<Trace> => {
    let outcome: Trace['outcome'] = 'success';
    try {
      await run();
      if (salvaged) outcome = 'salvaged';
    } catch (e) {
      const aborted = controller.signal.aborted
        ? abortReason(controller.signal)
        : deadline?.signal.aborted
          ? abortReason(deadline.signal)
          : undefined;
      if (e instanceof Stop && e.error) {
        finalError = e.error.attempts ? e.error : e.error.with({ attempts: records });
      } else if (!(e instanceof Stop) && !aborted) {
        // A route that names nothing, or a fault of ours: nothing to weigh against it.
        finalError = toOutlastError(e).with({ attempts: records });
      } else {
        finalError = buildFinalError({
          attempts: records,
          artefacts,
          skips,
          ...(aborted ? { ending: aborted } : {}),
        });
      }
      outcome = finalError.kind === 'cancelled' ? 'cancelled' : 'error';
    } finally {
      deadline?.dispose();
      options.signal?.removeEventListener('abort', onCallerAbort);
    }
    const trace: Trace = {
      requestId,
      ...(answeredBy && !finalError ? { answeredBy: label(answeredBy) } : {}),
      attempts: records,
      retries,
      fallbacks,
      breakerSkips: skips,
      continued,
      wastedOutputTokens:
        stitcher.wastedOutputTokens + records.reduce((n, a) => n + (a.wastedOutputTokens ?? 0), 0),
      durationMs: clock.now() - startedAt,
      outcome,
    };
    if (finalError) {
      if (!isCommitted) rejectCommitted(finalError);
      channel.fail(finalError);
      hub.emit({ type: 'failed', requestId, error: finalError, trace });
    } else {
      channel.close();
      hub.emit({ type: 'complete', requestId, trace });
    }
    return trace;
  })();

  return {
    requestId,
    committed,
    trace: done,
    cancel,
    [Symbol.asyncIterator]: () => channel[Symbol.asyncIterator](),
    pull: () => channel.pull(),
    async response() {
      // The assembler already has every part: nobody needs them queued one promise at a time.
      if (!channel.taken) channel.discard();
      await done;
      if (finalError) throw finalError;
      return assembler.result();
    },
  };
}
