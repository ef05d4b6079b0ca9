/**
 * Decides, per request, which faults apply: the `x-mock-fault` header first, then the
 * model's own rules, then the scenario's global rules; within a list the first rule that
 * covers the request wins. Probabilities draw from a hash of (seed, model, attempt number,
 * rule), so a seed replays the same faults whatever the interleaving across models.
 */
import type { Clock } from '../policy/clock.ts';
import { type ContinuationConfig, mergeContinuation } from './continuation-spec.ts';
import type { Fault, FaultOn, ParsedFaultSpec } from './fault-spec.ts';
import { hashUnit } from './hash.ts';
import type { FaultRule, ModelConfig, Scenario } from './scenario.ts';

export interface ResolvedModel {
  firstTokenMs: number;
  tokenMs: number;
  answerTokens: readonly [number, number];
  rejectsPrefill: boolean;
  contextWindow: number | undefined;
  textKey: string | undefined;
  /** Continuation behaviours per mode (`rejectsPrefill` shows as `prefill: prefill_rejected`). */
  continuation: ContinuationConfig;
  toolPreamble: string | undefined;
  toolCalls: 'forced' | 'auto';
  /** The model's request limiter and where the scenario set it (`models.<key>.rateLimit`, `defaults.rateLimit`). */
  rateLimit?: (NonNullable<ModelConfig['rateLimit']> & { source: string }) | undefined;
  /** Whether the scenario names it (always true unless `strictModels`). */
  known: boolean;
  rules: ReadonlyArray<{ id: string; rule: FaultRule }>;
}

export interface FaultPick {
  faults: Fault[];
  source: 'header' | 'scenario' | undefined;
  /** 1 for the first request to this model since start or reset. */
  attempt: number;
  /** Which rule fired (`models.<name>.faults[i]` or `faults[i]`). */
  rule?: string;
}

export interface FaultPicker {
  /** `kind`: whether the request continues an answer (for `on=` faults and rules). Default `first`. */
  pick(model: string, header?: ParsedFaultSpec & { text: string }, kind?: FaultOn): FaultPick;
  /** Counts a request to `model` that no fault is drawn for (the limiter refused it); returns its attempt number. */
  countAttempt(model: string): number;
  model(name: string): ResolvedModel;
  /** Counters, rule hits and the window clock back to zero. */
  reset(): void;
  setScenario(scenario: Scenario, seed?: number): void;
  readonly scenario: Scenario;
  readonly seed: number;
  /** Milliseconds since start or the last reset: the clock of time windows. */
  elapsedMs(): number;
}

const DEFAULT_ANSWER_TOKENS: readonly [number, number] = [24, 64];

/** `*` matches any run of characters; everything else is literal. */
export function modelPatternMatches(pattern: string, model: string): boolean {
  if (!pattern.includes('*')) return pattern === model;
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
  return re.test(model);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

export function resolveModel(scenario: Scenario, name: string): ResolvedModel {
  const entries = Object.entries(scenario.models ?? {});
  // Patterns in the order written, then the exact entry: the most specific behaviour wins,
  // and its rules are checked first.
  const matching = [
    ...entries.filter(([key]) => key.includes('*') && modelPatternMatches(key, name)),
    ...entries.filter(([key]) => key === name),
  ];
  let behaviour: Omit<ModelConfig, 'faults'> = { ...scenario.defaults };
  let rateLimitSource = 'defaults.rateLimit';
  // Continuation behaviours merge mode by mode: a pattern's `continue` survives an exact entry's `prefill`.
  let continuation = mergeContinuation(undefined, scenario.defaults?.continuation);
  for (const [key, config] of matching) {
    const { faults: _faults, ...rest } = config;
    behaviour = { ...behaviour, ...rest };
    continuation = mergeContinuation(continuation, config.continuation);
    if (config.rateLimit) rateLimitSource = `models.${key}.rateLimit`;
  }
  const rules: Array<{ id: string; rule: FaultRule }> = [];
  for (const [key, config] of [...matching].reverse()) {
    (config.faults ?? []).forEach((rule, i) => {
      rules.push({ id: `models.${key}.faults[${i}]`, rule });
    });
  }
  (scenario.faults ?? []).forEach((rule, i) => {
    rules.push({ id: `faults[${i}]`, rule });
  });
  const tokens = behaviour.answerTokens ?? DEFAULT_ANSWER_TOKENS;
  const range: readonly [number, number] =
    typeof tokens === 'number' ? [tokens, tokens] : [Math.min(...tokens), Math.max(...tokens)];
  return {
    firstTokenMs: behaviour.firstTokenMs ?? 0,
    tokenMs: behaviour.tokenMs ?? 0,
    answerTokens: range,
    rejectsPrefill: behaviour.rejectsPrefill ?? false,
    contextWindow: behaviour.contextWindow,
    textKey: behaviour.textKey,
    continuation,
    toolPreamble: behaviour.toolPreamble,
    toolCalls: behaviour.toolCalls ?? 'forced',
    rateLimit: behaviour.rateLimit && { ...behaviour.rateLimit, source: rateLimitSource },
    known: !scenario.strictModels || matching.length > 0,
    rules,
  };
}

export function createFaultPicker(options: { scenario: Scenario; seed?: number; clock: Clock }): FaultPicker {
  const { clock } = options;
  let scenario = options.scenario;
  let seed = options.seed ?? scenario.seed ?? 0;
  let epoch = clock.now();
  const attempts = new Map<string, number>();
  const ruleHits = new Map<string, number>();
  const headerHits = new Map<string, number>();
  let models = new Map<string, ResolvedModel>();

  const model = (name: string): ResolvedModel => {
    let resolved = models.get(name);
    if (!resolved) {
      resolved = resolveModel(scenario, name);
      models.set(name, resolved);
    }
    return resolved;
  };

  return {
    get scenario() {
      return scenario;
    },
    get seed() {
      return seed;
    },
    model,
    elapsedMs: () => clock.now() - epoch,
    reset() {
      attempts.clear();
      ruleHits.clear();
      headerHits.clear();
      epoch = clock.now();
    },
    setScenario(next, nextSeed) {
      scenario = next;
      if (nextSeed !== undefined) seed = nextSeed;
      else if (next.seed !== undefined) seed = next.seed;
      models = new Map();
      ruleHits.clear();
      epoch = clock.now();
    },
    countAttempt(name) {
      const attempt = (attempts.get(name) ?? 0) + 1;
      attempts.set(name, attempt);
      return attempt;
    },
    pick(name, header, kind = 'first') {
      const attempt = (attempts.get(name) ?? 0) + 1;
      attempts.set(name, attempt);
      const applies = (faults: readonly Fault[]) => faults.filter((f) => f.on === undefined || f.on === kind);
      if (header) {
        const faults = applies(header.faults);
        // A request the header's `on=` leaves alone does not use up its `times`.
        if (faults.length === 0) return { faults, source: undefined, attempt };
        const key = `${name}\u0000${header.text}`;
        const hits = (headerHits.get(key) ?? 0) + 1;
        headerHits.set(key, hits);
        if (header.times === undefined || hits <= header.times) return { faults, source: 'header', attempt };
        return { faults: [], source: undefined, attempt };
      }
      const elapsed = clock.now() - epoch;
      for (const { id, rule } of model(name).rules) {
        if (rule.from !== undefined && elapsed < rule.from) continue;
        if (rule.to !== undefined && elapsed >= rule.to) continue;
        const hitKey = `${id}\u0000${name}`;
        const hits = ruleHits.get(hitKey) ?? 0;
        if (rule.times !== undefined && hits >= rule.times) continue;
        if (rule.on !== undefined && rule.on !== kind) continue;
        const faults = applies(rule.fault);
        if (faults.length === 0) continue;
        const p = rule.probability ?? 1;
        if (p < 1 && hashUnit(seed, name, attempt, id) >= p) continue;
        ruleHits.set(hitKey, hits + 1);
        return { faults, source: 'scenario', attempt, rule: id };
      }
      return { faults: [], source: undefined, attempt };
    },
  };
}
