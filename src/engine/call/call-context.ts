/**
 * Everything one call runs on, built once its route, timeouts and deadline are known: the
 * engine's shared parts (settings, health, transport, clock), the request, and the call's own
 * ledger of attempts and its answer stream. The loops over targets and attempts are functions
 * of this context; what they learn along the way lives in the ledger.
 */
import type { OutlastError } from '../../errors/index.ts';
import type { Clock, Deadline, HedgeBudget, RetryBudget } from '../../policy/index.ts';
import type { CanonicalRequest } from '../../wire/canonical/index.ts';
import type { ClientCodec } from '../../wire/codec.ts';
import type { ResponseHomes } from '../attempt/response-homes.ts';
import type { ProviderType } from '../config.ts';
import type { EventHub } from '../events.ts';
import type { Health } from '../health.ts';
import type { ResolvedRoute, TargetRef } from '../routes.ts';
import type { Balancing } from '../routing/balancing.ts';
import type { CallHedge } from '../routing/hedge.ts';
import type { Pacing } from '../routing/pacing.ts';
import type { EngineSettings } from '../settings.ts';
import type { TargetStats } from '../target-stats.ts';
import type { CallTimeouts } from '../timeouts.ts';
import type { EngineTransport } from '../upstream.ts';
import type { AnswerStream } from './answer-stream.ts';
import type { CallLedger } from './ledger.ts';

/** What the engine lends each call. */
export interface CallDeps {
  settings: EngineSettings;
  health: Health;
  hub: EventHub;
  transport: EngineTransport;
  clock: Clock;
  random: () => number;
  codecFor: (type: ProviderType) => ClientCodec;
  /** Which provider holds each Responses API response relayed (for `previous_response_id`). */
  responseHomes: ResponseHomes;
  isPrefillRejection?: (error: OutlastError) => boolean;
  budget: RetryBudget | undefined;
  /** The routes' balanced groups: this call's order of their members, and their load. */
  balancing?: Balancing;
  /** What the targets' rate-limit headers say is left. */
  pacing?: Pacing;
  requestId: string;
  /** Each target's recent first-token times and stream rates (hedging, the slow-stream guard). */
  stats: TargetStats;
  /** A hedging route's budget, shared by its calls; undefined for a route that does not hedge. */
  hedgeBudget: (route: ResolvedRoute) => HedgeBudget | undefined;
}

export interface CallContext {
  readonly deps: CallDeps;
  readonly request: CanonicalRequest;
  readonly route: ResolvedRoute;
  readonly timeouts: CallTimeouts;
  readonly deadline: Deadline;
  readonly promptTokens: number;
  /**
   * A non-streaming call asks the upstream for a stream too (the first-token and idle timeouts
   * then catch a dead model early), unless the settings say to ask for one JSON body.
   */
  readonly streamUpstream: boolean;
  readonly ledger: CallLedger;
  readonly answer: AnswerStream;
  /** The route hedges and this call may be hedged (it streams from the upstream, the caller did not forbid it). */
  readonly hedge?: CallHedge;
}

export const label = (ref: TargetRef) => ({ provider: ref.provider, model: ref.model });

/** Whether the prompt cannot fit the target's window (or a larger window already refused it). */
export function contextTooSmall(ctx: CallContext, ref: TargetRef): boolean {
  const window = ctx.deps.settings.models(ref.model).contextWindow;
  if (window === undefined) return false;
  return ctx.promptTokens > window || window <= ctx.ledger.contextFloor;
}

/** Sleeps, unless the deadline or the caller ends the call first (then throws its reason). */
export async function sleepInCall(ctx: CallContext, ms: number): Promise<void> {
  const { signal } = ctx.deadline;
  if (ms > 0) await ctx.deps.clock.sleep(ms, signal);
  if (signal.aborted) throw signal.reason;
}

/** A promise's value, unless the deadline or the caller ends the call first. */
export function untilSettled<T>(ctx: CallContext, promise: Promise<T>): Promise<T> {
  const { signal } = ctx.deadline;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then((value) => {
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
  });
}

/** Announces a retry of the target and waits for it (the deadline or the caller cuts the wait short). */
export async function waitToRetry(
  ctx: CallContext,
  ref: TargetRef,
  attempt: number,
  waitMs: number,
  source: 'hint' | 'backoff',
): Promise<void> {
  ctx.deps.hub.emit({ type: 'retry', requestId: ctx.deps.requestId, ...label(ref), attempt, waitMs, source });
  await sleepInCall(ctx, waitMs);
}
