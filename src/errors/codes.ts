/**
 * Every stable machine code an OutlastError carries, in one place. `kind` is what the engine
 * reasons about; `code` is what a caller's code or an alert matches on: it names the kind,
 * or something finer that the kind alone does not say (which timeout phase, which gateway
 * check refused the request). Codes are part of the public contract: add, never rename.
 */
import { ERROR_KINDS, type ErrorKind, TIMEOUT_PHASES, type TimeoutPhase } from './error-kind.ts';

/** `OUTLAST_RATE_LIMITED`, `OUTLAST_QUOTA_EXCEEDED`, …: the default code of each kind. */
export type KindCode = `OUTLAST_${Uppercase<ErrorKind>}`;
/** `OUTLAST_TIMEOUT_CONNECT`, …, `OUTLAST_TIMEOUT_DEADLINE`: which budget a timeout ran out of. */
export type TimeoutCode = `OUTLAST_TIMEOUT_${Uppercase<TimeoutPhase>}`;

/** Codes finer than a kind, with what each means. */
export const SPECIFIC_CODES = {
  /** The gateway could not read the request body (too large, cut, not JSON). */
  BAD_REQUEST_BODY: 'OUTLAST_BAD_REQUEST_BODY',
  /** The gateway has no upstream key for the provider and the client sent none. */
  UPSTREAM_CREDENTIALS: 'OUTLAST_UPSTREAM_CREDENTIALS',
  /** The client's gateway key is missing or not one of `keys`. */
  GATEWAY_KEY: 'OUTLAST_GATEWAY_KEY',
  /** The request names no route, target or model the gateway knows. */
  NO_ROUTE: 'OUTLAST_NO_ROUTE',
  /** The gateway's configuration file is invalid. */
  INVALID_CONFIG: 'OUTLAST_INVALID_CONFIG',
  /** A failure the gateway's `chaos` setting injected on purpose. */
  CHAOS_INJECTED: 'OUTLAST_CHAOS_INJECTED',
  /** A hedged attempt that lost the race and was cancelled. */
  HEDGE_LOST: 'OUTLAST_HEDGE_LOST',
  /** A stream that crawled below the slow-stream floor (`stream.slowFloor`) and was abandoned; a timeout of phase idle. */
  SLOW_STREAM: 'OUTLAST_SLOW_STREAM',
  /** The library's or engine's options are invalid. */
  INVALID_OPTIONS: 'OUTLAST_INVALID_OPTIONS',
  /** A target's wire format cannot express the request; the next target, in another format, may. */
  UNTRANSLATABLE: 'OUTLAST_UNTRANSLATABLE',
  /** `model` names no route, `provider/model` pair or model a provider serves. */
  UNKNOWN_MODEL: 'OUTLAST_UNKNOWN_MODEL',
  /** No wire codec for a provider's format. */
  NO_CODEC: 'OUTLAST_NO_CODEC',
  /** Every target of the route is cooling after rate limits for longer than the call may wait. */
  ALL_TARGETS_COOLING: 'OUTLAST_ALL_TARGETS_COOLING',
  /** The prompt is larger than the context window of every target of the route. */
  PROMPT_TOO_LARGE: 'OUTLAST_PROMPT_TOO_LARGE',
  /** The gateway holds `server.largeBodyBudgetBytes` of request bodies already: retry shortly. */
  BODY_BUDGET: 'OUTLAST_BODY_BUDGET',
  /** The gateway has `server.maxConnections` connections open: retry shortly. */
  TOO_MANY_CONNECTIONS: 'OUTLAST_TOO_MANY_CONNECTIONS',
  /** The gateway serves `server.maxInFlight` calls already: retry shortly. */
  TOO_MANY_REQUESTS: 'OUTLAST_TOO_MANY_REQUESTS',
  /** A continuation that could not be aligned with the answer already sent (a paraphrase, a different answer); nothing of it was forwarded. */
  CONTINUATION_UNALIGNED: 'OUTLAST_CONTINUATION_UNALIGNED',
} as const;

export type SpecificCode = (typeof SPECIFIC_CODES)[keyof typeof SPECIFIC_CODES];

/** Every code an OutlastError may carry. */
export type OutlastErrorCode = KindCode | TimeoutCode | SpecificCode;

/** The default code of a kind. */
export function codeOfKind(kind: ErrorKind): KindCode {
  return `OUTLAST_${kind.toUpperCase()}` as KindCode;
}

/** The code of a timeout in one phase. */
export function timeoutCode(phase: TimeoutPhase): TimeoutCode {
  return `OUTLAST_TIMEOUT_${phase.toUpperCase()}` as TimeoutCode;
}

/** Every code, for documentation and for checking a code read from outside (logs, JSON). */
export const OUTLAST_ERROR_CODES: readonly OutlastErrorCode[] = Object.freeze([
  ...ERROR_KINDS.map(codeOfKind),
  ...TIMEOUT_PHASES.map(timeoutCode),
  ...Object.values(SPECIFIC_CODES),
]);

const KNOWN: ReadonlySet<string> = new Set(OUTLAST_ERROR_CODES);

export function isOutlastErrorCode(value: unknown): value is OutlastErrorCode {
  return typeof value === 'string' && KNOWN.has(value);
}
