/**
 * Gemini error answers both ways. The envelope is google.rpc.Status:
 * `{"error":{"code":<http>,"message","status":"RESOURCE_EXHAUSTED",...,"details":[…]}}`.
 */
import {
  clientMessageOf,
  type ErrorKind,
  OutlastError,
  type ProviderErrorTypes,
  upstreamError,
} from '../../errors/index.ts';
import type { EncodedError, HeaderBag } from '../codec.ts';
import { formatSse, getHeader } from '../shared/index.ts';
import { GEMINI_REQUEST_ID_HEADERS } from './provider-facts.ts';
import { errorBodySchema } from './schemas.ts';

/**
 * Gemini's canonical status names (ai.google.dev troubleshooting table) and the ErrorInfo
 * reasons that say more than their status, by what they mean.
 */
export const GEMINI_ERROR_TYPES: ProviderErrorTypes = {
  // A per-minute limit; a daily quota is told apart by its QuotaFailure (see quotaExhausted).
  RESOURCE_EXHAUSTED: 'rate_limited',
  UNAVAILABLE: 'overloaded',
  DEADLINE_EXCEEDED: 'server',
  INTERNAL: 'server',
  UNAUTHENTICATED: 'auth',
  PERMISSION_DENIED: 'permission',
  NOT_FOUND: 'not_found',
  // A bad key comes back as 400 INVALID_ARGUMENT; only ErrorInfo's reason says it is auth.
  API_KEY_INVALID: 'auth',
  API_KEY_EXPIRED: 'auth',
};

export function badRequest(field: string, detail: string): OutlastError {
  return new OutlastError({ kind: 'bad_request', message: `${field}: ${detail}`, provider: 'gemini' });
}

/** A request body that failed validation; `message` names the field path. */
export function invalidBody(message: string): OutlastError {
  return new OutlastError({ kind: 'bad_request', message, provider: 'gemini' });
}

export function invalidResponse(detail: string, cause?: unknown): OutlastError {
  return new OutlastError({
    kind: 'invalid_response',
    message: `gemini: ${detail}`,
    provider: 'gemini',
    cause,
  });
}

export function requestIdOf(headers: HeaderBag): string | undefined {
  for (const name of GEMINI_REQUEST_ID_HEADERS) {
    const id = getHeader(headers, name);
    if (id !== undefined) return id;
  }
  return undefined;
}

interface ErrorFacts {
  code?: number;
  message?: string;
  status?: string;
  reason?: string;
  retryAfterMs?: number;
  /** A QuotaFailure violation names a per-day quota: it will not clear within any call. */
  dailyQuota?: boolean;
}

/** Protobuf Duration JSON (`"17s"`, `"0.5s"`) → ms. */
function durationMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

// Free-tier quota messages end with the wait in words when RetryInfo is missing: "Please retry in 20.04466179s."
const RETRY_IN_TEXT = /please retry in (\d+(?:\.\d+)?)(ms|s)\b/i;

function retryInTextMs(message: string | undefined): number | undefined {
  const match = message ? RETRY_IN_TEXT.exec(message) : null;
  if (!match) return undefined;
  const n = Number(match[1]);
  return Math.round(match[2]!.toLowerCase() === 'ms' ? n : n * 1000);
}

/**
 * Whether a QuotaFailure's violations name a per-day quota (`quotaId`
 * `GenerateRequestsPerDayPerProjectPerModel-FreeTier`, metric `…_per_model_per_day`). A body
 * often lists the per-minute quotas beside it: the daily one decides, since waiting out the
 * minute does not bring it back.
 */
function namesDailyQuota(violations: unknown): boolean {
  if (!Array.isArray(violations)) return false;
  return violations.some((v) => {
    if (typeof v !== 'object' || v === null) return false;
    const { quotaId, quotaMetric } = v as { quotaId?: unknown; quotaMetric?: unknown };
    const id = typeof quotaId === 'string' ? quotaId : '';
    const metric = typeof quotaMetric === 'string' ? quotaMetric : '';
    return /PerDay|Daily/.test(id) || /per_day\b/i.test(metric);
  });
}

/** The facts of an error envelope, or undefined when `value` is not one. */
export function errorFactsOf(value: unknown): ErrorFacts | undefined {
  // streamGenerateContent without alt=sse answers a JSON array; its errors come wrapped the same way.
  const candidate = Array.isArray(value) ? value[0] : value;
  const parsed = errorBodySchema.safeParse(candidate);
  if (!parsed.success) return undefined;
  const { code, message, status, details = [] } = parsed.data.error;
  const facts: ErrorFacts = { code, message, status };
  for (const detail of details) {
    const type = detail['@type'] ?? '';
    // RetryInfo is Gemini's own retry hint, carried in the body (it rarely sends Retry-After).
    if (type.endsWith('google.rpc.RetryInfo')) facts.retryAfterMs ??= durationMs(detail['retryDelay']);
    if (type.endsWith('google.rpc.ErrorInfo') && typeof detail['reason'] === 'string')
      facts.reason ??= detail['reason'];
    if (type.endsWith('google.rpc.QuotaFailure') && namesDailyQuota(detail['violations']))
      facts.dailyQuota = true;
  }
  facts.retryAfterMs ??= retryInTextMs(message);
  return facts;
}

/** The facts every Gemini error shares, HTTP answer or in-band frame. */
function geminiFacts(facts: ErrorFacts, status: number | undefined) {
  return {
    status,
    providerType: facts.status,
    // The ErrorInfo reason classifies (API_KEY_INVALID) but the status stays the name shown.
    ...(facts.reason !== undefined && Object.hasOwn(GEMINI_ERROR_TYPES, facts.reason)
      ? { kind: GEMINI_ERROR_TYPES[facts.reason] }
      : {}),
    message: facts.message,
    quotaExhausted: facts.dailyQuota === true,
    provider: 'gemini',
    providerMessage: facts.message,
    retryAfterMs: facts.retryAfterMs,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An HTTP error answer → OutlastError. Bodies that are not the envelope (proxy HTML) fall back to the status. */
export function decodeError(status: number, headers: HeaderBag, bodyText: string): OutlastError {
  const facts = errorFactsOf(parseJson(bodyText)) ?? {};
  const providerMessage = facts.message ?? (bodyText.trim().slice(0, 500) || undefined);
  return upstreamError(
    { ...geminiFacts(facts, status), providerMessage, requestId: requestIdOf(headers) },
    GEMINI_ERROR_TYPES,
  );
}

/** An in-band `{"error":…}` frame of a stream → OutlastError (no HTTP status: the 200 was already sent). */
export function decodeStreamErrorFrame(value: unknown): OutlastError | undefined {
  const facts = errorFactsOf(value);
  if (!facts) return undefined;
  // The frame's own code classifies (a 429 in the frame is still a rate limit); no HTTP status is shown.
  const error = upstreamError(geminiFacts(facts, facts.code), GEMINI_ERROR_TYPES);
  return error.with({
    status: undefined,
    message: `upstream gemini stream failed mid-answer with ${facts.status ?? facts.code ?? 'error'}${facts.message ? `: ${facts.message}` : ''}`,
  });
}

// Gemini's canonical status names per HTTP status (ai.google.dev troubleshooting table).
const STATUS_NAME: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const STATUS_OF_KIND: Readonly<Record<ErrorKind, number>> = {
  rate_limited: 429,
  quota_exceeded: 429,
  overloaded: 503,
  server: 500,
  network: 502,
  timeout: 504,
  stream_interrupted: 502,
  invalid_response: 502,
  context_length: 400,
  content_filter: 400,
  auth: 401,
  permission: 403,
  not_found: 404,
  bad_request: 400,
  cancelled: 499,
};

/** The HTTP status Gemini would answer with: by kind, keeping the original only where it says more. */
function statusFor(error: OutlastError): number {
  const own = error.status;
  if (error.kind === 'server' && own !== undefined && own >= 500 && own <= 504) return own;
  if (error.kind === 'bad_request' && own !== undefined && own >= 400 && own < 500 && STATUS_NAME[own])
    return own;
  return STATUS_OF_KIND[error.kind];
}

// 400s Gemini names more finely than INVALID_ARGUMENT; kept when the error came from Gemini.
const OTHER_400_NAMES = new Set(['FAILED_PRECONDITION', 'OUT_OF_RANGE']);

function envelope(error: OutlastError, code: number): Record<string, unknown> {
  const own = error.providerType;
  const status = code === 400 && own && OTHER_400_NAMES.has(own) ? own : (STATUS_NAME[code] ?? 'UNKNOWN');
  const body: Record<string, unknown> = { code, message: clientMessageOf(error), status };
  const details: Record<string, unknown>[] = [];
  // A spent quota in Gemini's terms: a QuotaFailure on a per-day quota, which its clients
  // (and our decoder) tell apart from a per-minute limit that waiting clears.
  if (error.kind === 'quota_exceeded') {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [
        {
          quotaMetric: 'generativelanguage.googleapis.com/generate_requests_per_model_per_day',
          quotaId: 'GenerateRequestsPerDayPerProjectPerModel',
        },
      ],
    });
  }
  if (error.retryAfterMs !== undefined) {
    const seconds = Math.max(0, error.retryAfterMs) / 1000;
    details.push({
      '@type': 'type.googleapis.com/google.rpc.RetryInfo',
      retryDelay: `${Number(seconds.toFixed(3))}s`,
    });
  }
  if (details.length > 0) body['details'] = details;
  return { error: body };
}

/** OutlastError → Gemini's own status, headers and body; `retry-after` when the wait is known. */
export function encodeError(error: OutlastError): EncodedError {
  const status = statusFor(error);
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=UTF-8' };
  if (error.retryAfterMs !== undefined)
    headers['retry-after'] = String(Math.max(0, Math.ceil(error.retryAfterMs / 1000)));
  return { status, headers, body: JSON.stringify(envelope(error, status)) };
}

/**
 * The in-band error of a stream after the 200: a `data:` frame holding the error envelope,
 * which @google/genai turns into an ApiError carrying the code.
 */
export function encodeStreamError(error: OutlastError): string {
  return formatSse(JSON.stringify(envelope(error, statusFor(error))));
}
