import { codeOfKind, type OutlastErrorCode } from './codes.ts';
import { type ErrorKind, isTransientKind, type TimeoutPhase } from './error-kind.ts';

/** One upstream attempt as the engine recorded it; `attempts` on an exhausted route's error. */
export interface AttemptRecord {
  readonly provider: string;
  readonly model: string;
  /** Epoch ms when the attempt started (after any wait). */
  readonly startedAt: number;
  readonly durationMs: number;
  /** Time to the first content, when any arrived. */
  readonly ttftMs?: number;
  readonly outcome: 'success' | 'error' | 'skipped' | 'cancelled';
  readonly errorKind?: ErrorKind;
  readonly status?: number;
  /** How long the engine waited (backoff or server hint) before this attempt. */
  readonly waitedMs: number;
  /** Whether this attempt continued a stream that broke after its commit point. */
  readonly continuation?: boolean;
  /** Output tokens this attempt produced before it failed (spent for nothing). */
  readonly wastedOutputTokens?: number;
  readonly error?: OutlastError;
}

export interface OutlastErrorOptions {
  kind: ErrorKind;
  message: string;
  /** Stable machine code (errors/codes.ts); defaults to `OUTLAST_<KIND>`. */
  code?: OutlastErrorCode;
  status?: number;
  provider?: string;
  model?: string;
  /** Defaults to whether the kind is transient. */
  retryable?: boolean;
  retryAfterMs?: number;
  requestId?: string;
  /** The provider's own error type or code (`overloaded_error`, `insufficient_quota`, `RESOURCE_EXHAUSTED`). */
  providerType?: string;
  /** The provider's own message, verbatim. */
  providerMessage?: string;
  phase?: TimeoutPhase;
  limitMs?: number;
  attempts?: readonly AttemptRecord[];
  cause?: unknown;
}

const BRAND = Symbol.for('outlast.error');

/**
 * The one error type that leaves outlast. `kind` is stable and drives every decision;
 * `message` reads like `upstream anthropic/claude-sonnet-4-5 answered 529 overloaded_error`.
 */
export class OutlastError extends Error {
  override readonly name = 'OutlastError';
  readonly kind: ErrorKind;
  readonly code: OutlastErrorCode;
  readonly status: number | undefined;
  readonly provider: string | undefined;
  readonly model: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly requestId: string | undefined;
  readonly providerType: string | undefined;
  readonly providerMessage: string | undefined;
  readonly phase: TimeoutPhase | undefined;
  readonly limitMs: number | undefined;
  readonly attempts: readonly AttemptRecord[] | undefined;

  constructor(options: OutlastErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = options.kind;
    this.code = options.code ?? codeOfKind(options.kind);
    this.status = options.status;
    this.provider = options.provider;
    this.model = options.model;
    this.retryable = options.retryable ?? isTransientKind(options.kind);
    this.retryAfterMs = options.retryAfterMs;
    this.requestId = options.requestId;
    this.providerType = options.providerType;
    this.providerMessage = options.providerMessage;
    this.phase = options.phase;
    this.limitMs = options.limitMs;
    this.attempts = options.attempts;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for an OutlastError from any copy of the package (instanceof fails across duplicates). */
  static isInstance(value: unknown): value is OutlastError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** A copy with some fields replaced (adds provider/model/attempts as the error travels up). */
  with(changes: Partial<OutlastErrorOptions>): OutlastError {
    return new OutlastError({ ...this.options(), ...changes });
  }

  options(): OutlastErrorOptions {
    return {
      kind: this.kind,
      message: this.message,
      code: this.code,
      status: this.status,
      provider: this.provider,
      model: this.model,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      requestId: this.requestId,
      providerType: this.providerType,
      providerMessage: this.providerMessage,
      phase: this.phase,
      limitMs: this.limitMs,
      attempts: this.attempts,
      cause: this.cause,
    };
  }

  toJSON(): Record<string, unknown> {
    const { cause: _cause, attempts, ...rest } = this.options();
    return {
      name: this.name,
      ...rest,
      attempts: attempts?.map(({ error, ...a }) => ({ ...a, message: error?.message })),
    };
  }
}

/** `anthropic/claude-sonnet-4-5`, or whichever part is known. */
export function targetLabel(provider: string | undefined, model: string | undefined): string {
  if (provider && model) return `${provider}/${model}`;
  return provider ?? model ?? 'upstream';
}

/** Human text for a duration: `850 ms`, `1.4 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/**
 * The message a client of the gateway or the fetch adapter reads: for a call that ended after
 * outlast's own attempts, the story of the call (each target tried and its cause, the upstream's
 * words included); for an upstream error passed on as it came, the upstream's own words.
 */
export function clientMessageOf(error: OutlastError): string {
  if ((error.attempts?.length ?? 0) > 0) return error.message;
  return error.providerMessage ?? error.message;
}
