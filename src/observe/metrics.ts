/**
 * Prometheus metrics from engine events: calls and attempts by outcome and error kind,
 * latency and time-to-first-token histograms, breaker states, fallbacks, retries, cooldowns
 * and stream interruptions. Each instance gets its own registry (two gateways may share a
 * process in tests).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EngineEvent } from '../engine/events.ts';

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];
const BREAKER_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

export interface EngineMetrics {
  readonly registry: Registry;
  /** Subscribes to an engine's events; returns the unsubscribe function. */
  attach(source: { on(listener: (event: EngineEvent) => void): () => void }): () => void;
}

export function createEngineMetrics(registry: Registry = new Registry()): EngineMetrics {
  const registers = [registry];
  const calls = new Counter({
    name: 'outlast_calls_total',
    help: 'Calls finished, by outcome and the final error kind',
    labelNames: ['outcome', 'error_kind'] as const,
    registers,
  });
  const callSeconds = new Histogram({
    name: 'outlast_call_duration_seconds',
    help: 'Whole-call latency across retries and fallbacks',
    labelNames: ['outcome'] as const,
    buckets: SECONDS,
    registers,
  });
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
    buckets: SECONDS,
    registers,
  });
  const ttft = new Histogram({
    name: 'outlast_time_to_first_token_seconds',
    help: 'Time from the start of an attempt to its first content',
    labelNames: ['provider', 'model'] as const,
    buckets: SECONDS,
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
    help: 'Moves from one target to the next, by reason',
    labelNames: ['from', 'to', 'reason'] as const,
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
    help: 'Circuit breaker per target or provider: 0 closed, 1 half-open, 2 open',
    labelNames: ['key'] as const,
    registers,
  });
  const breakerTransitions = new Counter({
    name: 'outlast_breaker_transitions_total',
    help: 'Breaker state changes',
    labelNames: ['key', 'to'] as const,
    registers,
  });
  const cooldowns = new Counter({
    name: 'outlast_cooldowns_total',
    help: 'Targets put in cooldown (e.g. after a rate limit)',
    labelNames: ['key'] as const,
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
        const target = { provider: event.provider, model: event.model };
        attempts.inc({ ...target, outcome: event.outcome, error_kind: event.errorKind ?? '' });
        attemptSeconds.observe({ ...target, outcome: event.outcome }, event.durationMs / 1000);
        if (event.ttftMs !== undefined) ttft.observe(target, event.ttftMs / 1000);
        return;
      }
      case 'retry':
        retries.inc({ provider: event.provider, model: event.model, source: event.source });
        return;
      case 'fallback':
        fallbacks.inc({
          from: `${event.from.provider}/${event.from.model}`,
          to: `${event.to.provider}/${event.to.model}`,
          reason: event.reason,
        });
        return;
      case 'skip':
        skips.inc({ provider: event.provider, model: event.model, reason: event.reason });
        return;
      case 'breaker':
        breaker.set({ key: event.key }, BREAKER_VALUE[event.to]);
        breakerTransitions.inc({ key: event.key, to: event.to });
        return;
      case 'cooldown':
        cooldowns.inc({ key: event.key });
        return;
      case 'interruption':
        interruptions.inc({ provider: event.provider, model: event.model, action: event.action });
        return;
      case 'complete':
        calls.inc({ outcome: event.trace.outcome, error_kind: '' });
        callSeconds.observe({ outcome: event.trace.outcome }, event.trace.durationMs / 1000);
        return;
      case 'failed':
        calls.inc({ outcome: event.trace.outcome, error_kind: event.error.kind });
        callSeconds.observe({ outcome: event.trace.outcome }, event.trace.durationMs / 1000);
        return;
      default:
        return;
    }
  };

  return { registry, attach: (source) => source.on(onEvent) };
}
