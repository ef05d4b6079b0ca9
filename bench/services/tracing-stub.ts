/**
 * `src/observe/tracing.ts` compiled out, for the tracing A/B: the same exports, doing nothing
 * (no engine subscription, no span, no meter). Loaded in its place by no-tracing.ts.
 */
import type { Tracing } from '../../src/observe/tracing.ts';

export type { Tracing, TracingOptions } from '../../src/observe/tracing.ts';

export function createTracing(): Tracing {
  return {
    within: (_request, start) => start(),
    served() {},
    detach() {},
  };
}
