/**
 * Per-call metrics, counted once a call has ended: calls by route, client key and outcome,
 * their duration, tokens (input, output, cache read and write, and output wasted on failed
 * attempts or dropped from continuations) and their estimated cost from the model table, per
 * route, target and key. Cost is an estimate at list prices (engine/models.ts, overridable with
 * `models`): cache reads at 10% and cache writes at 125% of the input price, as Anthropic bills
 * them; wasted output at the output price of the target that produced it.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Trace } from '../engine/events.ts';
import type { ModelInfo } from '../engine/models.ts';
import type { Usage } from '../wire/canonical/index.ts';
import { OTHER_MODEL, SECONDS_BUCKETS } from './metrics.ts';

export const CACHE_READ_PRICE_FACTOR = 0.1;
export const CACHE_WRITE_PRICE_FACTOR = 1.25;

export interface CallRecord {
  /** The route label (bounded by the caller). */
  readonly route: string;
  /** The client key's name; empty when the gateway is open. */
  readonly key: string;
  readonly trace: Trace;
  /** The answer's usage; the trace's own when it has one. */
  readonly usage?: Partial<Usage>;
  readonly errorKind?: string;
}

export interface CallMetrics {
  record(call: CallRecord): void;
}

export interface CallMetricsOptions {
  models: (model: string) => ModelInfo;
  isConfigured?: (provider: string, model: string) => boolean;
}

/** Estimated USD for tokens at a model's list prices; 0 when the table has no price. */
export function estimateCost(info: ModelInfo, usage: Partial<Usage>): number {
  const input = (info.inputCostPerMtok ?? 0) / 1e6;
  const output = (info.outputCostPerMtok ?? 0) / 1e6;
  return (
    (usage.inputTokens ?? 0) * input +
    (usage.cacheReadTokens ?? 0) * input * CACHE_READ_PRICE_FACTOR +
    (usage.cacheWriteTokens ?? 0) * input * CACHE_WRITE_PRICE_FACTOR +
    (usage.outputTokens ?? 0) * output
  );
}

export function createCallMetrics(registry: Registry, options: CallMetricsOptions): CallMetrics {
  const registers = [registry];
  const isConfigured = options.isConfigured ?? (() => true);
  const modelLabel = (provider: string, model: string) =>
    isConfigured(provider, model) ? model : OTHER_MODEL;
  const calls = new Counter({
    name: 'outlast_calls_total',
    help: 'Calls finished, by route, client key, outcome and the final error kind',
    labelNames: ['route', 'key', 'outcome', 'error_kind'] as const,
    registers,
  });
  const callSeconds = new Histogram({
    name: 'outlast_call_duration_seconds',
    help: 'Whole-call latency across retries and fallbacks',
    labelNames: ['route', 'outcome'] as const,
    buckets: SECONDS_BUCKETS,
    registers,
  });
  const tokens = new Counter({
    name: 'outlast_tokens_total',
    help: 'Tokens by route, target, client key and type (input, output, cache_read, cache_write, wasted)',
    labelNames: ['route', 'provider', 'model', 'key', 'type'] as const,
    registers,
  });
  const cost = new Counter({
    name: 'outlast_cost_usd_total',
    help: 'Estimated cost at list prices by route, target and client key; kind="wasted" is output paid for and thrown away',
    labelNames: ['route', 'provider', 'model', 'key', 'kind'] as const,
    registers,
  });

  return {
    record({ route, key, trace, usage: relayed, errorKind }) {
      calls.inc({ route, key, outcome: trace.outcome, error_kind: errorKind ?? '' });
      callSeconds.observe({ route, outcome: trace.outcome }, trace.durationMs / 1000);
      const usage = trace.usage ?? relayed;
      let attributedWaste = 0;
      for (const a of trace.attempts) {
        const wasted = a.wastedOutputTokens ?? 0;
        if (wasted <= 0) continue;
        attributedWaste += wasted;
        const labels = { route, provider: a.provider, model: modelLabel(a.provider, a.model), key };
        tokens.inc({ ...labels, type: 'wasted' }, wasted);
        const price = estimateCost(options.models(a.model), { outputTokens: wasted });
        if (price > 0) cost.inc({ ...labels, kind: 'wasted' }, price);
      }
      const by = trace.answeredBy;
      if (!by) return;
      const labels = { route, provider: by.provider, model: modelLabel(by.provider, by.model), key };
      // Overlap dropped from continuations: produced by the targets that continued, counted on the one that answered.
      const overlap = trace.wastedOutputTokens - attributedWaste;
      if (overlap > 0) {
        tokens.inc({ ...labels, type: 'wasted' }, overlap);
        const price = estimateCost(options.models(by.model), { outputTokens: overlap });
        if (price > 0) cost.inc({ ...labels, kind: 'wasted' }, price);
      }
      if (!usage) return;
      const add = (type: string, n: number | undefined) => {
        if (n) tokens.inc({ ...labels, type }, n);
      };
      add('input', usage.inputTokens);
      add('output', usage.outputTokens);
      add('cache_read', usage.cacheReadTokens);
      add('cache_write', usage.cacheWriteTokens);
      const price = estimateCost(options.models(by.model), usage);
      if (price > 0) cost.inc({ ...labels, kind: 'answer' }, price);
    },
  };
}
