/**
 * OpenTelemetry for engine calls, through @opentelemetry/api only (the SDK and exporter are
 * the application's choice). One span per call after the GenAI semantic conventions
 * (`chat {model}`, gen_ai.operation.name, gen_ai.request.model as asked, gen_ai.response.model
 * that answered, gen_ai.provider.name, gen_ai.usage.*, error.type), a child span per attempt
 * (the target's provider and model, outcome, error kind, HTTP status, the wait before it,
 * whether it continued a broken stream), and span events for retries, fallbacks, skips, stream
 * interruptions and breaker transitions. The GenAI client metrics go through the metrics API.
 *
 * Nothing is paid when no tracer provider is registered: a call's span is asked for once, and a
 * non-recording one leaves the call untracked (every later event is one failed Map lookup).
 */
import {
  type Attributes,
  type Context,
  type Histogram,
  metrics,
  context as otelContext,
  trace as otelTrace,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import type { EngineEvent, Trace } from '../engine/events.ts';
import type { Usage } from '../wire/canonical/index.ts';

const SCOPE = 'outlast';
/** The providers' names in the GenAI conventions' gen_ai.provider.name. */
const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  anthropic: 'anthropic',
  openai: 'openai',
  gemini: 'gcp.gemini',
};

interface Tracked {
  readonly span: Span;
  readonly ctx: Context;
  readonly attempts: Map<number, Span>;
  /** The wait announced by the last retry event, for the attempt that follows it. */
  nextWaitMs: number;
  /** Targets this call is on (for breaker transitions). */
  readonly targets: Set<string>;
  trace?: Trace;
  usage?: Partial<Usage>;
  /** Held open until `served()` as well as the end of the call (the gateway knows the usage it relayed). */
  held: boolean;
}

export interface Tracing {
  /**
   * Runs `start` (which starts one engine call and returns it) inside a call span, child of
   * `parent` (default: the active context). `hold`: the span also waits for `served()`.
   */
  within<T extends { readonly requestId: string; readonly trace: Promise<Trace> }>(
    request: { model: string },
    start: () => T,
    options?: { parent?: Context; hold?: boolean },
  ): T;
  /** What the gateway learned while serving a held call: its usage. Ends the span once the call has ended. */
  served(requestId: string, usage?: Partial<Usage>): void;
  /** Unsubscribes from the engine. */
  detach(): void;
}

export interface TracingOptions {
  /** Default: the globally registered one (none: nothing recorded). */
  tracerProvider?: TracerProvider;
  meterProvider?: Parameters<typeof metrics.setGlobalMeterProvider>[0];
  /** Provider name → its wire format (`anthropic` | `openai` | `gemini`), for gen_ai.provider.name. */
  providerType?: (provider: string) => string | undefined;
  now?: () => number;
}

export function createTracing(
  engine: { on(listener: (event: EngineEvent) => void): () => void },
  options: TracingOptions = {},
): Tracing {
  const tracer: Tracer = (options.tracerProvider ?? otelTrace.getTracerProvider()).getTracer(SCOPE);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
  const now = options.now ?? Date.now;
  const providerName = (provider: string) => {
    const type = options.providerType?.(provider) ?? provider;
    return PROVIDER_NAMES[type] ?? type;
  };
  const duration: Histogram = meter.createHistogram('gen_ai.client.operation.duration', {
    unit: 's',
    description: 'GenAI operation duration',
  });
  const tokens: Histogram = meter.createHistogram('gen_ai.client.token.usage', {
    unit: '{token}',
    description: 'Number of input and output tokens used',
  });
  const firstChunk: Histogram = meter.createHistogram('gen_ai.client.operation.time_to_first_chunk', {
    unit: 's',
    description: 'Time to receive the first chunk of a streamed answer',
  });
  const calls = new Map<string, Tracked>();
  /** Set while `start()` runs: events the engine emits before it returns belong to this call. */
  let starting: Tracked | undefined;

  const trackedOf = (requestId: string): Tracked | undefined => {
    const t = calls.get(requestId);
    if (t) return t;
    if (starting) {
      calls.set(requestId, starting);
      return starting;
    }
    return undefined;
  };

  const recordMetrics = (
    requestModel: string,
    trace: Trace,
    usage: Partial<Usage> | undefined,
    error?: string,
  ) => {
    const answered = trace.answeredBy;
    const attrs: Attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': requestModel,
      ...(answered
        ? { 'gen_ai.response.model': answered.model, 'gen_ai.provider.name': providerName(answered.provider) }
        : {}),
      ...(error ? { 'error.type': error } : {}),
    };
    duration.record(trace.durationMs / 1000, attrs);
    if (usage?.inputTokens !== undefined)
      tokens.record(usage.inputTokens, { ...attrs, 'gen_ai.token.type': 'input' });
    if (usage?.outputTokens !== undefined)
      tokens.record(usage.outputTokens, { ...attrs, 'gen_ai.token.type': 'output' });
    const first = trace.attempts.find((a) => a.ttftMs !== undefined && a.outcome !== 'cancelled');
    const callStart = trace.attempts[0]
      ? trace.attempts[0].startedAt - trace.attempts[0].waitedMs
      : undefined;
    if (first?.ttftMs !== undefined && callStart !== undefined)
      firstChunk.record((first.startedAt + first.ttftMs - callStart) / 1000, attrs);
  };

  const end = (requestId: string, tracked: Tracked, requestModel: string) => {
    const { trace, span } = tracked;
    if (!trace || tracked.held) return;
    calls.delete(requestId);
    for (const open of tracked.attempts.values()) open.end();
    const usage = trace.usage ?? tracked.usage;
    const failed = trace.outcome === 'error' || trace.outcome === 'cancelled';
    const error = failed ? (trace.attempts.at(-1)?.errorKind ?? trace.outcome) : undefined;
    if (trace.answeredBy) {
      span.setAttribute('gen_ai.response.model', trace.answeredBy.model);
      span.setAttribute('gen_ai.provider.name', providerName(trace.answeredBy.provider));
    }
    if (usage?.inputTokens !== undefined) span.setAttribute('gen_ai.usage.input_tokens', usage.inputTokens);
    if (usage?.outputTokens !== undefined)
      span.setAttribute('gen_ai.usage.output_tokens', usage.outputTokens);
    span.setAttributes({
      'outlast.request_id': requestId,
      'outlast.outcome': trace.outcome,
      'outlast.attempts': trace.attempts.length,
      'outlast.retries': trace.retries,
      'outlast.fallbacks': trace.fallbacks,
      'outlast.continued': trace.continued,
      'outlast.wasted_output_tokens': trace.wastedOutputTokens,
    });
    if (error) {
      span.setAttribute('error.type', error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    }
    span.end();
    recordMetrics(requestModel, trace, usage, error);
  };

  const onEvent = (event: EngineEvent) => {
    if (event.type === 'breaker' || event.type === 'cooldown') {
      if (calls.size === 0) return;
      for (const t of new Set(calls.values())) {
        const on = [...t.targets].some((k) => k === event.key || k.startsWith(`${event.key}/`));
        if (!on) continue;
        if (event.type === 'breaker')
          t.span.addEvent('outlast.breaker', {
            'outlast.breaker.key': event.key,
            'outlast.breaker.from': event.from,
            'outlast.breaker.to': event.to,
          });
        else
          t.span.addEvent('outlast.cooldown', {
            'outlast.cooldown.key': event.key,
            'outlast.cooldown.reason': event.reason,
            'outlast.cooldown.until_ms': event.untilMs,
          });
      }
      return;
    }
    const tracked = trackedOf(event.requestId);
    if (!tracked) return;
    switch (event.type) {
      case 'attempt_start': {
        tracked.targets.add(`${event.provider}/${event.model}`);
        const span = tracer.startSpan(
          `chat ${event.model}`,
          {
            kind: SpanKind.CLIENT,
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.provider.name': providerName(event.provider),
              'gen_ai.request.model': event.model,
              'outlast.provider': event.provider,
              'outlast.attempt': event.attempt,
              'outlast.attempt.continuation': event.continuation,
              'outlast.attempt.probe': event.probe,
              'outlast.attempt.wait_ms': tracked.nextWaitMs,
            },
          },
          tracked.ctx,
        );
        tracked.nextWaitMs = 0;
        tracked.attempts.set(event.attempt, span);
        return;
      }
      case 'attempt_end': {
        const span = tracked.attempts.get(event.attempt);
        if (!span) return;
        tracked.attempts.delete(event.attempt);
        span.setAttribute('outlast.attempt.outcome', event.outcome);
        span.setAttribute('outlast.attempt.duration_ms', event.durationMs);
        if (event.ttftMs !== undefined) span.setAttribute('outlast.attempt.ttft_ms', event.ttftMs);
        if (event.status !== undefined) span.setAttribute('http.response.status_code', event.status);
        if (event.upstreamRequestId) span.setAttribute('gen_ai.response.id', event.upstreamRequestId);
        if (event.outcome === 'error' && event.errorKind) {
          span.setAttribute('error.type', event.errorKind);
          span.setStatus({ code: SpanStatusCode.ERROR, message: event.errorKind });
        }
        span.end();
        return;
      }
      case 'retry':
        tracked.nextWaitMs = event.waitMs;
        tracked.span.addEvent('outlast.retry', {
          'outlast.target': `${event.provider}/${event.model}`,
          'outlast.retry.wait_ms': event.waitMs,
          'outlast.retry.source': event.source,
        });
        return;
      case 'fallback':
        tracked.span.addEvent('outlast.fallback', {
          'outlast.fallback.from': `${event.from.provider}/${event.from.model}`,
          'outlast.fallback.to': `${event.to.provider}/${event.to.model}`,
          'outlast.fallback.reason': event.reason,
        });
        return;
      case 'hedge':
        tracked.span.addEvent('outlast.hedge', {
          'outlast.hedge.from': `${event.from.provider}/${event.from.model}`,
          'outlast.hedge.to': `${event.to.provider}/${event.to.model}`,
          'outlast.hedge.delay_ms': event.delayMs,
        });
        return;
      case 'hedge_settled':
        tracked.span.addEvent('outlast.hedge.settled', { 'outlast.hedge.winner': event.winner });
        return;
      case 'skip':
        tracked.targets.add(`${event.provider}/${event.model}`);
        tracked.span.addEvent('outlast.skip', {
          'outlast.target': `${event.provider}/${event.model}`,
          'outlast.skip.reason': event.reason,
        });
        return;
      case 'interruption':
        tracked.span.addEvent('outlast.stream_interrupted', {
          'outlast.target': `${event.provider}/${event.model}`,
          'error.type': event.error.kind,
          'outlast.interruption.action': event.action,
        });
        return;
      default:
        return;
    }
  };
  const off = engine.on(onEvent);
  const requestModels = new Map<Tracked, string>();

  return {
    within(request, start, opts = {}) {
      const parent = opts.parent ?? otelContext.active();
      const span = tracer.startSpan(
        `chat ${request.model}`,
        {
          kind: SpanKind.CLIENT,
          startTime: now(),
          attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': request.model },
        },
        parent,
      );
      if (!span.isRecording()) {
        // Metrics still count the call when a meter provider is there (a no-op instrument otherwise).
        const call = start();
        void call.trace.then((t) => recordMetrics(request.model, t, t.usage, failureOf(t)));
        return call;
      }
      const tracked: Tracked = {
        span,
        ctx: otelTrace.setSpan(parent, span),
        attempts: new Map(),
        nextWaitMs: 0,
        targets: new Set(),
        held: opts.hold === true,
      };
      requestModels.set(tracked, request.model);
      starting = tracked;
      let call: ReturnType<typeof start>;
      try {
        call = start();
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.recordException(error as Error);
        span.end();
        throw error;
      } finally {
        starting = undefined;
      }
      calls.set(call.requestId, tracked);
      void call.trace.then((t) => {
        tracked.trace = t;
        end(call.requestId, tracked, request.model);
        if (!tracked.held) requestModels.delete(tracked);
      });
      return call;
    },
    served(requestId, usage) {
      const tracked = calls.get(requestId);
      if (!tracked) return;
      if (usage) tracked.usage = usage;
      tracked.held = false;
      end(requestId, tracked, requestModels.get(tracked) ?? '');
      if (!calls.has(requestId)) requestModels.delete(tracked);
    },
    detach: off,
  };
}

function failureOf(trace: Trace): string | undefined {
  if (trace.outcome !== 'error' && trace.outcome !== 'cancelled') return undefined;
  return trace.attempts.at(-1)?.errorKind ?? trace.outcome;
}
