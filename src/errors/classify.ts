import type { ErrorKind, TimeoutPhase } from './error-kind.ts';
import { OutlastError } from './outlast-error.ts';

/** What a codec learned from an HTTP error answer, or an in-band stream error (no status). */
export interface HttpFailureFacts {
  status?: number;
  /** The provider's error type, status string or code: `overloaded_error`, `RESOURCE_EXHAUSTED`, `insufficient_quota`. */
  providerType?: string;
  /** A second, finer code when the provider gives both (OpenAI `error.code`). */
  providerCode?: string;
  message?: string;
}

// Provider types and codes whose meaning does not depend on the status they came with.
const BY_PROVIDER_TYPE: Readonly<Record<string, ErrorKind>> = {
  // Anthropic
  overloaded_error: 'overloaded',
  rate_limit_error: 'rate_limited',
  api_error: 'server',
  timeout_error: 'server',
  authentication_error: 'auth',
  permission_error: 'permission',
  billing_error: 'permission',
  not_found_error: 'not_found',
  request_too_large: 'bad_request',
  // OpenAI
  context_length_exceeded: 'context_length',
  string_above_max_length: 'bad_request',
  content_policy_violation: 'content_filter',
  content_filter: 'content_filter',
  rate_limit_exceeded: 'rate_limited',
  // A quota or spend cap keeps failing until a human acts: not transient, another provider may work.
  insufficient_quota: 'permission',
  enforced_spend_limit_reached: 'permission',
  invalid_api_key: 'auth',
  model_not_found: 'not_found',
  server_error: 'server',
  // What outlast's own OpenAI-dialect errors say for overload (OpenAI has no type of its own for it).
  overloaded: 'overloaded',
  // Gemini statuses
  RESOURCE_EXHAUSTED: 'rate_limited',
  UNAVAILABLE: 'overloaded',
  DEADLINE_EXCEEDED: 'server',
  INTERNAL: 'server',
  UNAUTHENTICATED: 'auth',
  PERMISSION_DENIED: 'permission',
  NOT_FOUND: 'not_found',
};

const CONTEXT_LENGTH_TEXT =
  /prompt is too long|context[ _-]?(length|window)|maximum context length|too many (input )?tokens|exceeds the maximum (number of )?tokens|input is too long/i;
const CONTENT_FILTER_TEXT = /content[ _-]?(policy|filter|management)|safety (system|filter)|flagged/i;

function byStatus(status: number): ErrorKind {
  if (status === 401) return 'auth';
  if (status === 402 || status === 403) return 'permission';
  if (status === 404) return 'not_found';
  if (status === 408 || status === 409) return 'server';
  if (status === 429) return 'rate_limited';
  if (status === 503 || status === 529) return 'overloaded';
  if (status >= 500) return 'server';
  return 'bad_request';
}

/**
 * The failure class of an HTTP error answer or an in-band stream error. The finer the
 * evidence the more it weighs: a message naming the context window beats the type
 * `invalid_request_error`, a provider code beats the bare status.
 */
export function classifyHttpFailure(facts: HttpFailureFacts): ErrorKind {
  const { status, providerType, providerCode, message = '' } = facts;
  const isClientError = status === undefined || (status >= 400 && status < 500);
  if (isClientError && status !== 429 && CONTEXT_LENGTH_TEXT.test(message)) return 'context_length';
  for (const code of [providerCode, providerType]) {
    if (code && Object.hasOwn(BY_PROVIDER_TYPE, code)) return BY_PROVIDER_TYPE[code]!;
  }
  if (isClientError && status !== 429 && CONTENT_FILTER_TEXT.test(message)) return 'content_filter';
  if (status === undefined) return 'server';
  return byStatus(status);
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);

const TIMEOUT_CODES: Readonly<Record<string, TimeoutPhase>> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  UND_ERR_HEADERS_TIMEOUT: 'headers',
  UND_ERR_BODY_TIMEOUT: 'idle',
};

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || code in TIMEOUT_CODES)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Turns anything thrown below the engine (a socket error, an abort, an OutlastError) into an
 * OutlastError. `where` names the target for the message.
 */
export function toOutlastError(
  error: unknown,
  where: { provider?: string; model?: string } = {},
): OutlastError {
  if (OutlastError.isInstance(error)) return error;
  const code = errorCode(error);
  const label =
    where.provider && where.model ? `${where.provider}/${where.model}` : (where.provider ?? 'upstream');
  const detail = error instanceof Error ? error.message : String(error);
  if (code && code in TIMEOUT_CODES) {
    const phase = TIMEOUT_CODES[code]!;
    return new OutlastError({
      kind: 'timeout',
      phase,
      code: `OUTLAST_TIMEOUT_${phase.toUpperCase()}`,
      message: `${label}: ${phase} timeout (${detail})`,
      ...where,
      cause: error,
    });
  }
  if (code) {
    return new OutlastError({
      kind: 'network',
      message: `${label}: ${code} (${detail})`,
      ...where,
      cause: error,
    });
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return new OutlastError({
      kind: 'cancelled',
      message: `${label}: cancelled by the caller`,
      ...where,
      cause: error,
    });
  }
  return new OutlastError({ kind: 'network', message: `${label}: ${detail}`, ...where, cause: error });
}
