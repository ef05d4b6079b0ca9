/**
 * The scenarios shipped with the package, by name. Written as scenario input (the same
 * shape a YAML or JSON file holds) and validated like one.
 */
import type { ScenarioInput } from './scenario.ts';

export const NAMED_SCENARIOS = {
  /** Every model answers, fast, with no faults. */
  healthy: {
    name: 'healthy',
    description: 'Every model answers at once, with no faults.',
  },
  /** A provider having a bad day: a few percent of everything. */
  flaky: {
    name: 'flaky',
    description:
      'Each request draws: 10% 529 overloaded, 5% 500, 5% 429 retry-after=1, 3% TCP reset, 5% stream cut after 8 tokens; light latency.',
    defaults: { firstTokenMs: 150, tokenMs: 8 },
    faults: [
      { fault: '529', probability: 0.1 },
      { fault: '500', probability: 0.05 },
      { fault: '429 retry-after=1', probability: 0.05 },
      { fault: 'reset', probability: 0.03 },
      { fault: 'cut after=8', probability: 0.05 },
    ],
  },
  /** Anthropic-named models are down for a minute; the others answer. */
  outage: {
    name: 'outage',
    description:
      'Models named claude* answer 529 overloaded for the first 60 s after start or reset, then recover; every other model is healthy.',
    defaults: { firstTokenMs: 100, tokenMs: 5 },
    models: { 'claude*': { faults: [{ fault: '529', to: '60s' }] } },
  },
  /** Rate limits with the hints real providers give. */
  'rate-limited': {
    name: 'rate-limited',
    description:
      '30% of requests get 429 with retry-after=1 and rate-limit reset headers (1 s); 5% get 429 with no hint at all.',
    defaults: { firstTokenMs: 100, tokenMs: 5 },
    faults: [
      { fault: '429 retry-after=1 reset=1s', probability: 0.3 },
      { fault: '429', probability: 0.05 },
    ],
  },
  /** Streams that break in every way a stream can. */
  'stream-chaos': {
    name: 'stream-chaos',
    description:
      'Streams misbehave: 12% cut after 6 tokens, 8% stall 4 s after 4 tokens, 8% malformed event at 3, 8% overloaded error event at 5, 5% no terminal event, 5% first token after 3 s.',
    defaults: { firstTokenMs: 80, tokenMs: 10, answerTokens: [30, 80] },
    faults: [
      { fault: 'cut after=6', probability: 0.12 },
      { fault: 'stall after=4 ms=4000', probability: 0.08 },
      { fault: 'malformed at=3', probability: 0.08 },
      { fault: 'error_event at=5', probability: 0.08 },
      { fault: 'no_terminal', probability: 0.05 },
      { fault: 'slow_first_token ms=3000', probability: 0.05 },
    ],
  },
} as const satisfies Record<string, ScenarioInput>;

export type ScenarioName = keyof typeof NAMED_SCENARIOS;

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(NAMED_SCENARIOS, name);
}
