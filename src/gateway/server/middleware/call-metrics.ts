/** Counts a model call's outcome, tokens and cost once it has been answered (observe/metrics-calls.ts). */
import type { CallMetrics } from '../../../observe/metrics-calls.ts';
import { factsOf } from '../request-facts.ts';
import type { Middleware } from './compose.ts';

export interface CallMetricsOptions {
  readonly metrics: CallMetrics;
  /** The bounded route label of the `model` asked for. */
  readonly routeLabel: (model: string) => string;
}

export function callMetrics(options: CallMetricsOptions): Middleware {
  return async function callMetrics(ctx, next) {
    const status = await next();
    const facts = factsOf(ctx.res);
    // Requests refused before the engine (bad body, unknown model) are counted by the HTTP metrics only.
    if (facts.trace && facts.route !== undefined) {
      options.metrics.record({
        route: options.routeLabel(facts.route),
        key: facts.key ?? '',
        trace: facts.trace,
        ...(facts.usage ? { usage: facts.usage } : {}),
        ...(facts.errorKind ? { errorKind: facts.errorKind } : {}),
      });
    }
    return status;
  };
}
