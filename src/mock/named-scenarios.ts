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
  /** Streams cut as real upstreams cut them, continued the many ways real models continue. */
  'continuation-chaos': {
    name: 'continuation-chaos',
    description:
      'First attempts: 15% cut after 12 tokens, 5% cut after 40, 8% lose only their closing events (cut_after_stop), 7% are cut after the last token before any (cut_before_stop), 10% of tool calls cut inside their arguments. Continuations: 10% cut after 4 tokens, 5% 429 retry-after=1, 5% 500. Models continue as real ones do: gpt* restart or ignore prefills, claude* repeat, restart sentences or open chattily, gemini* drop the space, restart or paraphrase.',
    defaults: { firstTokenMs: 20, tokenMs: 2, answerTokens: [40, 240], toolPreamble: "I'll look that up." },
    models: {
      'gpt*': {
        continuation: {
          prefill: 'prefill_ignored',
          continue: 'full_restart p=0.4; preamble p=0.2; exact',
          complete: 'complete_note p=0.4; complete_repeat p=0.3; complete_empty',
        },
      },
      'claude*': {
        continuation: {
          prefill: 'exact p=0.7; overlap p=0.2; sentence_restart',
          continue: 'overlap p=0.4; sentence_restart p=0.3; preamble then=overlap p=0.2; anchor',
          complete: 'complete_empty p=0.6; complete_note',
        },
      },
      'gemini*': {
        continuation: {
          continue: 'exact p=0.5; full_restart p=0.3; paraphrase p=0.05; different p=0.05; anchor',
          complete: 'complete_repeat p=0.5; complete_new_turn',
        },
      },
    },
    faults: [
      { fault: 'cut after=12', on: 'first', probability: 0.15 },
      { fault: 'cut after=40', on: 'first', probability: 0.05 },
      { fault: 'cut_after_stop', on: 'first', probability: 0.08 },
      { fault: 'cut_before_stop', on: 'first', probability: 0.07 },
      { fault: 'cut_in_tool args=2', on: 'first', probability: 0.1 },
      { fault: 'cut after=4', on: 'continuation', probability: 0.1 },
      { fault: '429 retry-after=1', on: 'continuation', probability: 0.05 },
      { fault: '500', on: 'continuation', probability: 0.05 },
    ],
  },
} as const satisfies Record<string, ScenarioInput>;

export type ScenarioName = keyof typeof NAMED_SCENARIOS;

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(NAMED_SCENARIOS, name);
}
