/**
 * Gemini error answers both ways. The envelope is google.rpc.Status:
 * `{"error":{"code":<http>,"message","status":"RESOURCE_EXHAUSTED",...,"details":[…]}}`.
 */
import { classifyHttpFailure, type ErrorKind, OutlastError } from '../../errors/index.ts';
import type { EncodedError, HeaderBag } from '../codec.ts';
import { formatSse, getHeader } from '../shared/index.ts';
import { errorBodySchema } from './schemas.ts';

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
  return getHeader(headers, 'x-request-id') ?? getHeader(headers, 'x-goog-request-id');
}

interface ErrorFacts {
  code?: number;
  message?: string;
  status?: string;
  reason?: string;
  retryAfterMs?: number;
}

/** Protobuf Duration JSON (`"17s"`, `"0.5s"`) → ms. */
function durationMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
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
  }
  return facts;
}

function kindOf(facts: ErrorFacts, status: number | undefined): ErrorKind {
  // A bad key comes back as 400 INVALID_ARGUMENT; only ErrorInfo's reason says it is auth.
  if (facts.reason === 'API_KEY_INVALID' || facts.reason === 'API_KEY_EXPIRED') return 'auth';
  return classifyHttpFailure({
    status,
    providerType: facts.status,
    providerCode: facts.reason,
    message: facts.message,
  });
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
  const requestId = requestIdOf(headers);
  const providerMessage = facts.message ?? (bodyText.trim().slice(0, 500) || undefined);
  const label = facts.status ?? 'error';
  return new OutlastError({
    kind: kindOf(facts, status),
    message: `upstream gemini answered ${status} ${label}${facts.message ? `: ${facts.message}` : ''}`,
    status,
    provider: 'gemini',
    providerType: facts.status,
    providerMessage,
    retryAfterMs: facts.retryAfterMs,
    requestId,
  });
}

/** An in-band `{"error":…}` frame of a stream → OutlastError (no HTTP status: the 200 was already sent). */
export function decodeStreamErrorFrame(value: unknown): OutlastError | undefined {
  const facts = errorFactsOf(value);
  if (!facts) return undefined;
  return new OutlastError({
    kind: kindOf(facts, facts.code),
    message: `gemini stream failed mid-answer: ${facts.status ?? facts.code ?? 'error'}${facts.message ? `: ${facts.message}` : ''}`,
    provider: 'gemini',
    providerType: facts.status,
    providerMessage: facts.message,
    retryAfterMs: facts.retryAfterMs,
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
  const body: Record<string, unknown> = { code, message: error.providerMessage ?? error.message, status };
  if (error.retryAfterMs !== undefined) {
    const seconds = Math.max(0, error.retryAfterMs) / 1000;
    body['details'] = [
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${Number(seconds.toFixed(3))}s` },
    ];
  }
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
