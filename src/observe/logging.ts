/**
 * Structured logs from engine events: one line per failed attempt (model, provider, error
 * kind, status, attempt number, latency, request ids), through any pino-compatible logger.
 * Secrets never reach the log: known API keys and anything shaped like one are masked.
 */
import type { LoggerLike } from '../engine/config.ts';
import type { EngineEvent } from '../engine/events.ts';
import { createRedactor, redactValue } from './redact.ts';

export { createRedactor } from './redact.ts';

export interface LoggingOptions {
  /** Values to mask wherever they appear (the configured API keys). */
  secrets?: readonly string[];
  /** Also log each failed call (error) and each completed one (debug); default true. */
  calls?: boolean;
}

/** The API keys of a set of provider configs: what no log line or outgoing message may show. */
export function secretsOf(
  providers: Readonly<Record<string, { readonly apiKey?: string | undefined }>>,
): string[] {
  return Object.values(providers).flatMap((p) => (p.apiKey ? [p.apiKey] : []));
}

interface LoggedEngine {
  on(listener: (event: EngineEvent) => void): () => void;
  readonly settings: {
    readonly logger?: LoggerLike | undefined;
    readonly providers: Readonly<Record<string, { readonly apiKey?: string | undefined }>>;
  };
}

/**
 * Logs an engine's events through `logger` (by default the one its options name), its
 * providers' keys masked. Without a logger nothing is attached. Returns the unsubscribe function.
 */
export function logEngineEvents(
  engine: LoggedEngine,
  logger: LoggerLike | undefined = engine.settings.logger,
  options: Omit<LoggingOptions, 'secrets'> = {},
): () => void {
  if (!logger) return () => {};
  return attachLogger(engine, logger, { ...options, secrets: secretsOf(engine.settings.providers) });
}

/** Subscribes a logger to an engine's events; returns the unsubscribe function. */
export function attachLogger(
  source: { on(listener: (event: EngineEvent) => void): () => void },
  logger: LoggerLike,
  options: LoggingOptions = {},
): () => void {
  const redact = createRedactor(options.secrets ?? []);
  const calls = options.calls ?? true;
  return source.on((event) => {
    switch (event.type) {
      case 'attempt_end': {
        if (event.outcome !== 'error') return;
        const e = event.error;
        logger.warn(
          {
            event: 'attempt_failed',
            requestId: event.requestId,
            provider: event.provider,
            model: event.model,
            attempt: event.attempt,
            errorKind: event.errorKind,
            ...(event.status === undefined ? {} : { status: event.status }),
            ...(e?.phase ? { phase: e.phase } : {}),
            ...(e?.providerType ? { providerType: e.providerType } : {}),
            latencyMs: Math.round(event.durationMs),
            ...(event.upstreamRequestId ? { upstreamRequestId: event.upstreamRequestId } : {}),
            ...(event.continuation ? { continuation: true } : {}),
            ...(e ? { error: redact(e.message) } : {}),
          },
          redact(`attempt ${event.attempt} on ${event.provider}/${event.model} failed: ${event.errorKind}`),
        );
        return;
      }
      case 'failed':
        if (!calls || !logger.error) return;
        logger.error(
          {
            event: 'call_failed',
            requestId: event.requestId,
            errorKind: event.error.kind,
            ...(event.error.status === undefined ? {} : { status: event.error.status }),
            attempts: event.trace.attempts.length,
            durationMs: Math.round(event.trace.durationMs),
            outcome: event.trace.outcome,
          },
          redact(event.error.message),
        );
        return;
      case 'complete':
        if (!calls || !logger.debug) return;
        logger.debug(
          {
            event: 'call_complete',
            requestId: event.requestId,
            ...(event.trace.answeredBy ? event.trace.answeredBy : {}),
            attempts: event.trace.attempts.length,
            fallbacks: event.trace.fallbacks,
            continued: event.trace.continued,
            durationMs: Math.round(event.trace.durationMs),
            outcome: event.trace.outcome,
          },
          'call complete',
        );
        return;
      case 'breaker':
        logger.warn(
          { event: 'breaker', key: event.key, from: event.from, to: event.to },
          `breaker ${event.key} ${event.to}`,
        );
        return;
      default:
        return;
    }
  });
}

/** A logger whose every record and message is redacted first: nothing a secret touched reaches the sink. */
export function redactingLogger<T extends LoggerLike>(
  logger: T,
  redact: (text: string) => string,
): LoggerLike {
  // A record below the logger's level is dropped by it anyway: not redacted first (the gateway's
  // per-request info line at level warn cost a walk of every record through the redactor).
  const enabled = levelCheck(logger);
  // The method is looked up per record: pino swaps a level's method when its level changes.
  const wrap = (level: 'warn' | 'error' | 'info' | 'debug') => (obj: object, msg?: string) => {
    const method = level === 'error' ? (logger.error ?? logger.warn) : logger[level];
    if (!method || !enabled(level)) return;
    method.call(logger, redactValue(obj, redact) as object, ...(msg === undefined ? [] : [redact(msg)]));
  };
  return { warn: wrap('warn'), error: wrap('error'), info: wrap('info'), debug: wrap('debug') };
}

/** pino's `isLevelEnabled` when the logger has one (read per record: its level may change at run time); else every level. */
function levelCheck(logger: LoggerLike): (level: string) => boolean {
  const withLevels = logger as LoggerLike & { isLevelEnabled?: (level: string) => boolean };
  if (typeof withLevels.isLevelEnabled !== 'function') return () => true;
  return (level) => withLevels.isLevelEnabled?.(level) !== false;
}
