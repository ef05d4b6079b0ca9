/**
 * The fault soak's mock scenario: three models in three wire formats (the route's targets),
 * the same answer text for all three (a shared `textKey`, so a complete answer is one byte
 * for byte equal to the fault-free one whichever model gave it), and every way the mock can
 * fail a request drawn at random, with continuations answered the ways real models answer
 * them (src/mock/README.md, "Continuations").
 */
export const SEED = 20_261_208;
export const TEXT_KEY = 'soak-answer';

/** The route, in order: the caller's preference. */
export const MODELS = { anthropic: 'claude-soak', openai: 'gpt-soak', gemini: 'gemini-soak' } as const;
export type ProviderFormat = keyof typeof MODELS;
export const ROUTE_ORDER: readonly ProviderFormat[] = ['anthropic', 'openai', 'gemini'];

/**
 * One rule of the mix: `share` is the intended share of first attempts it strikes. Rules are
 * drawn in order and the first hit wins, so each rule's probability is its share divided by
 * what the rules before it left (see `probabilities`).
 */
export interface MixRule {
  fault: string;
  share: number;
  /** Whether an attempt struck by it fails (a slow first token within every budget does not). */
  fails: boolean;
  note?: string;
}

/** Faults on first attempts (requests that do not continue an answer). */
export const FIRST_ATTEMPT_MIX: readonly MixRule[] = [
  { fault: '429 retry-after=1', share: 0.03, fails: true },
  { fault: '429', share: 0.02, fails: true, note: 'no hint' },
  { fault: '429 retry-after-ms=400', share: 0.01, fails: true },
  { fault: '529', share: 0.03, fails: true },
  { fault: '500', share: 0.03, fails: true },
  { fault: '503', share: 0.015, fails: true },
  { fault: '502', share: 0.005, fails: true, note: "a proxy's HTML page" },
  { fault: '504', share: 0.005, fails: true },
  { fault: 'reset', share: 0.02, fails: true },
  { fault: 'hang', share: 0.004, fails: true },
  { fault: 'silence', share: 0.004, fails: true },
  { fault: 'slow_first_token ms=1500', share: 0.02, fails: false },
  { fault: 'slow_first_token ms=13s', share: 0.004, fails: true, note: 'past the 10 s first-token budget' },
  { fault: 'slow_tokens ms=15', share: 0.01, fails: false },
  { fault: 'stall after=10 ms=2s', share: 0.01, fails: false },
  { fault: 'stall after=15 ms=12s', share: 0.006, fails: true, note: 'past the 10 s idle budget' },
  { fault: 'cut after=3', share: 0.02, fails: true },
  { fault: 'cut after=12', share: 0.025, fails: true },
  { fault: 'cut after=40', share: 0.02, fails: true },
  { fault: 'cut after=120', share: 0.015, fails: true, note: 'past a short answer: as cut_before_stop' },
  { fault: 'cut_before_stop', share: 0.015, fails: true },
  { fault: 'cut_after_stop', share: 0.015, fails: false, note: 'only the closing events lost' },
  { fault: 'no_terminal', share: 0.01, fails: false, note: 'the stream ends cleanly without its last event' },
  { fault: 'cut_in_tool args=2', share: 0.03, fails: true, note: 'tool answers only' },
  { fault: 'cut_in_tool args=40', share: 0.01, fails: true, note: 'tool answers only; after the last piece' },
  { fault: 'malformed at=6', share: 0.015, fails: true },
  { fault: 'error_event at=8 error=overloaded', share: 0.01, fails: true },
  { fault: 'error_event at=20 error=rate_limited', share: 0.005, fails: true },
  { fault: 'error_event at=2 error=server', share: 0.005, fails: true },
];

/** Faults on continuations (a prefill or a continue turn), by the request's shape. */
export const CONTINUATION_MIX: readonly MixRule[] = [
  { fault: 'cut after=4', share: 0.08, fails: true },
  { fault: '429 retry-after=1', share: 0.04, fails: true },
  { fault: '500', share: 0.04, fails: true },
  { fault: '529', share: 0.02, fails: true },
  { fault: 'reset', share: 0.02, fails: true },
  { fault: 'cut_before_stop', share: 0.02, fails: true },
];

/**
 * How each model answers a continuation, drawn per attempt: every behaviour the mock has
 * except `empty` and `echo` (see the README: by the engine's documented rule a continuation
 * that comes back empty or only repeats means the answer was complete, so those two would be
 * truncations by construction, not a measure of recovery).
 */
export const CONTINUATION_BEHAVIOUR = {
  'claude*': {
    prefill:
      'exact p=0.35; overlap p=0.15; sentence_restart p=0.1; preamble then=overlap p=0.1; full_restart p=0.05; prefill_ignored p=0.05; paraphrase p=0.05; different p=0.05; prefill_rejected',
    continue:
      'overlap p=0.3; sentence_restart p=0.2; preamble then=overlap p=0.15; paraphrase p=0.05; anchor',
    complete: 'complete_empty p=0.5; complete_note p=0.3; complete_repeat',
  },
  'gpt*': {
    prefill: 'prefill_ignored',
    continue: 'full_restart p=0.3; preamble p=0.15; anchor p=0.2; paraphrase p=0.05; different p=0.05; exact',
    complete: 'complete_note p=0.4; complete_repeat p=0.3; complete_empty',
  },
  'gemini*': {
    prefill: 'exact p=0.5; overlap p=0.2; prefill_ignored',
    continue:
      'exact p=0.35; full_restart p=0.2; sentence_restart p=0.1; paraphrase p=0.05; different p=0.05; anchor',
    complete: 'complete_repeat p=0.4; complete_new_turn p=0.3; complete_empty',
  },
} as const;

/** Latency of a healthy answer: 30 ms to the first token, 4 ms a token, 40–240 tokens. */
const MODEL_DEFAULTS = {
  firstTokenMs: 30,
  tokenMs: 4,
  answerTokens: [40, 240],
  textKey: TEXT_KEY,
  toolPreamble: "I'll look that up.",
};

/** Each rule's probability, so that the first-hit-wins draw gives each its share. */
export function probabilities(mix: readonly MixRule[]): number[] {
  let left = 1;
  return mix.map((r) => {
    const p = left > 0 ? Math.min(1, r.share / left) : 0;
    left -= r.share;
    return Number(p.toFixed(6));
  });
}

export function failingShare(mix: readonly MixRule[]): number {
  return mix.filter((r) => r.fails).reduce((s, r) => s + r.share, 0);
}

export type FaultLevel = 'all' | 'none';

/** The scenario the soak's mock runs; `none` is the same models with no faults (a check of the checker). */
/**
 * An outage of one target for part of the run: every request to its model meets `fault` (a
 * mock fault spec, `hang` by default: connections that go silent, the kind that costs a call
 * the most time). Correlated failures are what breakers are for; random faults alone never
 * tell one target's health from another's.
 */
export interface Outage {
  model: string;
  fault: string;
  /** When it starts and ends, as fractions of each system's run. */
  from: number;
  to: number;
}

export function parseOutage(spec: string | undefined, window: string | undefined): Outage | undefined {
  if (spec === 'none') return undefined;
  const [from, to] = (window ?? '0.4-0.6').split('-').map(Number);
  if (!(from !== undefined && to !== undefined && from >= 0 && to > from && to <= 1))
    throw new Error(`soak: bad --outage-window=${window}: expected two fractions like 0.4-0.6`);
  return { model: MODELS[ROUTE_ORDER[0]!], fault: spec ?? 'hang', from, to };
}

export function soakScenario(level: FaultLevel = 'all', outage?: Outage): Record<string, unknown> {
  const rules = (mix: readonly MixRule[], on: 'first' | 'continuation') =>
    probabilities(mix).map((probability, i) => ({ fault: mix[i]!.fault, on, probability }));
  const models: Record<string, unknown> = {};
  for (const [format, name] of Object.entries(MODELS)) {
    const pattern = `${format === 'anthropic' ? 'claude' : format === 'openai' ? 'gpt' : 'gemini'}*`;
    models[name] = {
      ...MODEL_DEFAULTS,
      continuation: CONTINUATION_BEHAVIOUR[pattern as keyof typeof CONTINUATION_BEHAVIOUR],
      ...(outage?.model === name ? { faults: [{ fault: outage.fault, probability: 1 }] } : {}),
    };
  }
  return {
    name: 'fault-soak',
    seed: SEED,
    strictModels: true,
    models,
    ...(level === 'all'
      ? { faults: [...rules(FIRST_ATTEMPT_MIX, 'first'), ...rules(CONTINUATION_MIX, 'continuation')] }
      : {}),
  };
}

/** The same scenario without faults: what `expectedAnswer` is computed against. */
export function expectedScenario(): Record<string, unknown> {
  return soakScenario('none');
}
