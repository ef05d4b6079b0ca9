/**
 * Hedged requests (Dean and Barroso, "The Tail at Scale"): the call's first attempt gets a
 * twin on the next target of the route when it has produced no first token after the delay
 * (the target's observed p95 time to first token, or the route's fixed ms). Both attempts
 * hold their parts (see attempt-sink.ts); the first to pass the commit point claims the
 * caller's answer and the other is cancelled at once, its upstream request aborted, its tokens
 * counted as wasted. The route's hedge budget bounds the hedges to `maxRatio` of its calls.
 */
import { cooldownEndOf } from '../../errors/index.ts';
import { createHedgeBudget, type HedgeBudget, hedgeRace } from '../../policy/index.ts';
import { createHedgeRace, hedgeLost, type RacingSink, racingSink } from '../attempt/attempt-sink.ts';
import { type AllowedPermit, type AttemptResult, runAttempt } from '../attempt/run-attempt.ts';
import { type CallContext, contextTooSmall, label } from '../call/call-context.ts';
import type { ResolvedRoute } from '../routes.ts';
import type { HedgeSettings } from '../settings.ts';
import type { TargetStats } from '../target-stats.ts';
import type { TargetState } from './target-state.ts';

/** The route's hedging for one call that may be hedged. */
export interface CallHedge {
  readonly settings: HedgeSettings;
  readonly budget: HedgeBudget;
}

/** One budget per hedging route, for the engine's life. */
export function createHedgeBudgets(clock: CallContext['deps']['clock']) {
  const budgets = new Map<string, HedgeBudget>();
  return (route: ResolvedRoute): HedgeBudget | undefined => {
    if (!route.hedge) return undefined;
    let budget = budgets.get(route.name);
    if (!budget) {
      budget = createHedgeBudget({ maxRatio: route.hedge.maxRatio, windowMs: route.hedge.windowMs, clock });
      budgets.set(route.name, budget);
    }
    return budget;
  };
}

/**
 * How long the first attempt on `key` may go without a first token before it is hedged:
 * a fixed `after`; or the p95 of the target's recent first tokens once it has `minSamples`
 * of them, `fallbackMs` until then, and no hedge when there is no fallback.
 */
export function hedgeDelayMs(settings: HedgeSettings, stats: TargetStats, key: string): number | undefined {
  if (typeof settings.after === 'number') return settings.after;
  const ttft = stats.ttft(key);
  if (ttft.count() < settings.minSamples) return settings.fallbackMs;
  return ttft.quantile(0.95);
}

/** Where the hedge goes: the next target after `primary` that takes calls now; the same one when the route has no other. */
function pickHedgeTarget(
  ctx: CallContext,
  states: readonly TargetState[],
  primary: TargetState,
): { state: TargetState; permit: AllowedPermit } | undefined {
  const { health } = ctx.deps;
  const others = states.slice(states.indexOf(primary) + 1);
  const candidates = states.length === 1 ? [primary] : others;
  for (const state of candidates) {
    if (contextTooSmall(ctx, state.ref)) continue;
    // Its own rate-limit headers say it has no room: a hedge there would meet a 429.
    if (ctx.deps.pacing?.holdFor(state.ref.key, ctx.promptTokens)) continue;
    const permit = health.acquire(state.ref, { retry: state === primary });
    if (permit.allowed) return { state, permit };
  }
  return undefined;
}

export interface HedgedOutcome {
  /** The attempt the call goes on from: the winner, or the primary when neither answered. */
  readonly state: TargetState;
  readonly result: AttemptResult;
}

interface Runner {
  readonly state: TargetState;
  readonly sink: RacingSink;
  readonly done: Promise<AttemptResult>;
}

/**
 * The call's first attempt on `primary`, hedged when the route and the budget allow it.
 * Settles once every attempt it started has ended (the winner's stream included).
 */
export async function runHedged(
  ctx: CallContext,
  hedge: CallHedge,
  states: readonly TargetState[],
  primary: TargetState,
  permit: AllowedPermit,
  waitedMs: number,
): Promise<HedgedOutcome> {
  const { clock, hub, requestId, stats, settings } = ctx.deps;
  const delayMs = hedgeDelayMs(hedge.settings, stats, primary.ref.key);
  const first = { continuation: false } as const;
  if (delayMs === undefined) {
    return { state: primary, result: await runAttempt(ctx, primary, permit, ctx.request, first, waitedMs) };
  }
  const race = createHedgeRace();
  const runners: Runner[] = [];
  let picked: { state: TargetState; permit: AllowedPermit } | undefined;

  const start = (signal: AbortSignal, index: number): Promise<void> => {
    const state = index === 0 ? primary : (picked as NonNullable<typeof picked>).state;
    const attemptPermit = index === 0 ? permit : (picked as NonNullable<typeof picked>).permit;
    let won!: () => void;
    const claimed = new Promise<void>((resolve) => {
      won = resolve;
    });
    const sink = racingSink(ctx.answer, race, index, {
      atomicToolCalls: settings.stream.atomicToolCalls,
      // hedgeRace aborts the other attempt as this settles; meanwhile its sink refuses its parts.
      onWin: () => won(),
    });
    const done = runAttempt(ctx, state, attemptPermit, ctx.request, first, index === 0 ? waitedMs : 0, {
      sink,
      signal,
      hedge: index > 0,
    });
    runners.push({ state, sink, done });
    // Settles at the commit point, or with the attempt's error when it ends without one.
    return Promise.race([
      claimed,
      done.then((result) => {
        if (race.winner === index) return claimed;
        throw result.ok ? hedgeLost(index, race.winner ?? 1 - index) : result.error;
      }),
    ]);
  };
  let raced: { index: number } | undefined;
  try {
    raced = await hedgeRace(
      {
        delayMs,
        maxHedges: 1,
        clock,
        // The primary has begun to answer (a first token) or the budget is spent: no hedge.
        shouldHedge: () => {
          if (runners[0]?.sink.sawContent || race.winner !== undefined) return false;
          picked = pickHedgeTarget(ctx, states, primary);
          if (!picked) return false;
          if (!hedge.budget.tryAcquire()) {
            picked.permit.release('ignored');
            picked = undefined;
            return false;
          }
          return true;
        },
        onHedge: () => {
          const to = (picked as NonNullable<typeof picked>).state.ref;
          hub.emit({ type: 'hedge', requestId, from: label(primary.ref), to: label(to), delayMs });
          ctx.ledger.hedge = { delayMs, target: label(to), won: false };
        },
      },
      start,
    );
  } catch {
    // Every attempt ended without reaching its commit point: their results say why.
  }
  const results = await Promise.all(runners.map((r) => r.done));
  if (runners.length > 1) {
    const winner = raced?.index;
    if (ctx.ledger.hedge) ctx.ledger.hedge = { ...ctx.ledger.hedge, won: winner === 1 };
    hub.emit({
      type: 'hedge_settled',
      requestId,
      from: label(primary.ref),
      to: label((runners[1] as Runner).state.ref),
      winner: winner === undefined ? 'none' : winner === 0 ? 'primary' : 'hedge',
    });
    // The hedge target's failure cools it for other calls, as any attempt's would.
    const hedgeResult = results[1] as AttemptResult;
    const hedgeState = (runners[1] as Runner).state;
    if (!hedgeResult.ok && winner !== 1 && hedgeState !== primary) {
      const untilMs = cooldownEndOf(hedgeResult.error, clock.now());
      if (untilMs !== undefined) {
        hedgeState.coolingUntilMs = untilMs;
        hedgeState.cooledBy = hedgeResult.error.kind;
        ctx.deps.health.coolUntil(hedgeState.ref.key, untilMs, hedgeResult.error.kind);
      }
    }
  }
  const index = raced?.index ?? 0;
  return { state: (runners[index] as Runner).state, result: results[index] as AttemptResult };
}
