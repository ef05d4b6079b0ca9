/**
 * Prometheus metrics from engine events, per target: attempts by outcome and error kind,
 * attempt latency and time to first token, retries, fallbacks, skips, breaker states and
 * transitions, cooldowns and stream interruptions. Labels are the same everywhere: `provider`
 * and `model` name a target (`model="*"` is a provider-wide breaker), and a target the config
 * does not name is counted under `model="other"`, so clients naming new models grow no series.
 * Each instance gets its own registry (two gateways may share a process in tests).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EngineEvent } from '../engine/events.ts';

export const SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];
const BREAKER_VALUE = { closed: 0, half_open: 1, open: 2 } as const;
/** The `model` label of a provider-wide breaker. */
export const ANY_MODEL = '*';
export const OTHER_MODEL = 'other';

export interface EngineMetrics {
  readonly registry: Registry;
  /** Subscribes to an engine's events; returns the unsubscribe function. */
  attach(source: { on(listener: (event: EngineEvent) => void): () => void }): () => void;
}

export interface EngineMetricsOptions {
  /** Whether the config names a target; others share `model="other"`. Default: every target is named. */
  isConfigured?: (provider: string, model: string) => boolean;
}

export function createEngineMetrics(
  registry: Registry = new Registry(),
  options: EngineMetricsOptions = {},
): EngineMetrics {
  const registers = [registry];
  const isConfigured = options.isConfigured ?? (() => true);
  const target = (provider: string, model: string) => ({
    provider,
    model: isConfigured(provider, model) ? model : OTHER_MODEL,
  });
  /** A breaker or cooldown key: `provider/model` for a target, `provider` for a provider. */
  const keyLabels = (key: string) => {
    const slash = key.indexOf('/');
    return slash === -1
      ? { provider: key, model: ANY_MODEL }
      : target(key.slice(0, slash), key.slice(slash + 1));
  };
  const attempts = new Counter({
    name: 'outlast_attempts_total',
    help: 'Upstream attempts, by target, outcome and error kind',
    labelNames: ['provider', 'model', 'outcome', 'error_kind'] as const,
    registers,
  });
  const attemptSeconds = new Histogram({
    name: 'outlast_attempt_duration_seconds',
    help: 'Upstream attempt latency',
    labelNames: ['provider', 'model', 'outcome'] as const,
    buckets: SECONDS_BUCKETS,
    registers,
  });
  const ttft = new Histogram({
    name: 'outlast_time_to_first_token_seconds',
    help: 'Time from the start of an attempt to its first content',
    labelNames: ['provider', 'model'] as const,
    buckets: SECONDS_BUCKETS,
    registers,
  });
  const retries = new Counter({
    name: 'outlast_retries_total',
    help: 'Retries on the same target, by what set the wait (server hint or backoff)',
    labelNames: ['provider', 'model', 'source'] as const,
    registers,
  });
  const fallbacks = new Counter({
    name: 'outlast_fallbacks_total',
    help: 'Moves from one target (provider, model) to the next (to_provider, to_model), by reason',
    labelNames: ['provider', 'model', 'to_provider', 'to_model', 'reason'] as const,
    registers,
  });
  const hedges = new Counter({
    name: 'outlast_hedges_total',
    help: 'Calls whose first attempt (provider, model) had no first token in time, so a second started on (to_provider, to_model), by which answered: primary, hedge, or none (both failed before a first token)',
    labelNames: ['provider', 'model', 'to_provider', 'to_model', 'winner'] as const,
    registers,
  });
  const skips = new Counter({
    name: 'outlast_skips_total',
    help: 'Targets skipped without an attempt (breaker open, cooling down, context too small)',
    labelNames: ['provider', 'model', 'reason'] as const,
    registers,
  });
  const breaker = new Gauge({
    name: 'outlast_breaker_state',
    // Summed over `--workers N` a state would read as another; every worker holds the shared one.
    aggregator: 'max',
    help: 'Circuit breaker per target (model="*": the provider-wide one): 0 closed, 1 half-open, 2 open',
    labelNames: ['provider', 'model'] as const,
    registers,
  });
  const breakerTransitions = new Counter({
    name: 'outlast_breaker_transitions_total',
    help: 'Breaker state changes, by the state entered',
    labelNames: ['provider', 'model', 'to'] as const,
    registers,
  });
  const cooldowns = new Counter({
    name: 'outlast_cooldowns_total',
    help: 'Targets put in cooldown (e.g. after a rate limit), by the error kind that caused it',
    labelNames: ['provider', 'model', 'reason'] as const,
    registers,
  });
  const interruptions = new Counter({
    name: 'outlast_stream_interruptions_total',
    help: 'Streams broken after the commit point, by what was done about it',
    labelNames: ['provider', 'model', 'action'] as const,
    registers,
  });

  const onEvent = (event: EngineEvent) => {
    switch (event.type) {
      case 'attempt_end': {
        const t = target(event.provider, event.model);
        attempts.inc({ ...t, outcome: event.outcome, error_kind: event.errorKind ?? '' });
        attemptSeconds.observe({ ...t, outcome: event.outcome }, event.durationMs / 1000);
        if (event.ttftMs !== undefined) ttft.observe(t, event.ttftMs / 1000);
        return;
      }
      case 'retry':
        retries.inc({ ...target(event.provider, event.model), source: event.source });
        return;
      case 'fallback': {
        const to = target(event.to.provider, event.to.model);
        fallbacks.inc({
          ...target(event.from.provider, event.from.model),
          to_provider: to.provider,
          to_model: to.model,
          reason: event.reason,
        });
        return;
      }
      case 'hedge_settled': {
        const to = target(event.to.provider, event.to.model);
        hedges.inc({
          ...target(event.from.provider, event.from.model),
          to_provider: to.provider,
          to_model: to.model,
          winner: event.winner,
        });
        return;
      }
      case 'skip':
        skips.inc({ ...target(event.provider, event.model), reason: event.reason });
        return;
      case 'breaker': {
        const labels = keyLabels(event.key);
        breaker.set(labels, BREAKER_VALUE[event.to]);
        breakerTransitions.inc({ ...labels, to: event.to });
        return;
      }
      case 'cooldown':
        cooldowns.inc({ ...keyLabels(event.key), reason: event.reason });
        return;
      case 'interruption':
        interruptions.inc({ ...target(event.provider, event.model), action: event.action });
        return;
      default:
        return;
    }
  };

  return { registry, attach: (source) => source.on(onEvent) };
}
