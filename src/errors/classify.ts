import { timeoutCode } from './codes.ts';
import type { ErrorKind, TimeoutPhase } from './error-kind.ts';
import { OutlastError } from './outlast-error.ts';

/** What a codec learned from an HTTP error answer, or an in-band stream error (no status). */
export interface HttpFailureFacts {
  status?: number;
  /** The provider's error type, status string or code: `overloaded_error`, `RESOURCE_EXHAUSTED`, `insufficient_quota`. */
  providerType?: string;
  /** A second, finer code when the provider gives both (OpenAI `error.code`, Anthropic `details.error_code`). */
  providerCode?: string;
  message?: string;
  /**
   * The codec found, in its provider's own terms, that the account's quota, spend limit or
   * credit is exhausted (a Gemini QuotaFailure on a per-day quota, Anthropic's "credit balance
   * is too low" 400): the strongest evidence there is.
   */
  quotaExhausted?: boolean;
}

/**
 * A provider's error types and codes whose meaning does not depend on the status they came
 * with. Each wire folder keeps its own (`wire/anthropic/errors.ts` …); this module knows none.
 */
export type ProviderErrorTypes = Readonly<Record<string, ErrorKind>>;

const CONTEXT_LENGTH_TEXT =
  /prompt is too long|context[ _-]?(length|window)|maximum context length|too many (input )?tokens|exceeds the maximum (number of )?tokens|input is too long/i;
const CONTENT_FILTER_TEXT = /content[ _-]?(policy|filter|management)|safety (system|filter)|flagged/i;

function byStatus(status: number): ErrorKind {
  if (status === 401) return 'auth';
  // 402 Payment Required: credit or balance exhausted (Anthropic billing_error, DeepSeek, OpenRouter).
  if (status === 402) return 'quota_exceeded';
  if (status === 403) return 'permission';
  if (status === 404) return 'not_found';
  if (status === 408 || status === 409) return 'server';
  if (status === 429) return 'rate_limited';
  if (status === 503 || status === 529) return 'overloaded';
  if (status >= 500) return 'server';
  return 'bad_request';
}

/**
 * The failure class of an HTTP error answer or an in-band stream error. The finer the
 * evidence the more it weighs: the codec's own finding of an exhausted quota first, then a
 * message naming the context window over the type `invalid_request_error`, then the
 * provider's code over its type (`types`: the provider's table), then the bare status.
 */
export function classifyHttpFailure(facts: HttpFailureFacts, types: ProviderErrorTypes = {}): ErrorKind {
  const { status, providerType, providerCode, message = '' } = facts;
  if (facts.quotaExhausted) return 'quota_exceeded';
  const isClientError = status === undefined || (status >= 400 && status < 500);
  if (isClientError && status !== 429 && CONTEXT_LENGTH_TEXT.test(message)) return 'context_length';
  for (const code of [providerCode, providerType]) {
    if (code && Object.hasOwn(types, code)) return types[code]!;
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
      code: timeoutCode(phase),
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
