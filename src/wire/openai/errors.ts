/**
 * Errors both ways. Client side: an OpenAI-format error answer (or an in-band stream error
 * chunk) → OutlastError. Server side: OutlastError → OpenAI's status, headers and
 * `{"error":{"message","type","param","code"}}` body (all four keys, as the spec requires).
 * Retry-After is not parsed here: the transport adds `retryAfterMs` from the headers.
 */
import { classifyHttpFailure, type ErrorKind, OutlastError } from '../../errors/index.ts';
import type { EncodedError, HeaderBag } from '../codec.ts';
import { bodyExcerpt } from '../shared/body-excerpt.ts';
import { finerStatus } from '../shared/finer-status.ts';
import { formatSse, getHeader } from '../shared/index.ts';
import { isJsonObject } from './passthrough.ts';

export function openaiRequestIdOf(headers: HeaderBag): string | undefined {
  return getHeader(headers, 'x-request-id');
}

interface ErrorFacts {
  message?: string;
  type?: string;
  code?: string;
}

/** The error object of an OpenAI body, or of the shapes compatible servers use (`{error: "..."}`, FastAPI `{detail}`). */
function readErrorBody(bodyText: string): ErrorFacts | undefined {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  if (!isJsonObject(body)) return undefined;
  const error = body.error;
  if (typeof error === 'string') return { message: error };
  if (isJsonObject(error)) return readErrorObject(error);
  if (typeof body.detail === 'string') return { message: body.detail };
  if (typeof body.message === 'string') return { message: body.message };
  return undefined;
}

export function readErrorObject(error: Record<string, unknown>): ErrorFacts {
  const facts: ErrorFacts = {};
  if (typeof error.message === 'string') facts.message = error.message;
  if (typeof error.type === 'string') facts.type = error.type;
  if (typeof error.code === 'string' || typeof error.code === 'number') facts.code = String(error.code);
  return facts;
}

export function decodeOpenaiError(status: number, headers: HeaderBag, bodyText: string): OutlastError {
  const facts = readErrorBody(bodyText);
  const providerMessage = facts?.message ?? (bodyText.trim() === '' ? undefined : bodyExcerpt(bodyText));
  const kind = classifyHttpFailure({
    status,
    // `server_error` is OpenAI's type for every 5xx, 503 overload included: the status says more.
    providerType: facts?.type === 'server_error' ? undefined : facts?.type,
    providerCode: facts?.code,
    message: providerMessage,
  });
  const label = facts?.code ?? facts?.type;
  const tail = providerMessage ? `: ${providerMessage}` : '';
  return new OutlastError({
    kind,
    status,
    message: `upstream answered ${status}${label ? ` ${label}` : ''}${tail}`,
    // The finer of the two names: `insufficient_quota`, `context_length_exceeded`, else the type.
    providerType: facts?.code ?? facts?.type,
    providerMessage,
    requestId: openaiRequestIdOf(headers),
  });
}

/** An in-band `{"error": {...}}` chunk after the 200. */
export function decodeOpenaiStreamError(error: unknown): OutlastError {
  const facts =
    typeof error === 'string' ? { message: error } : isJsonObject(error) ? readErrorObject(error) : {};
  const kind = classifyHttpFailure({
    providerType: facts.type,
    providerCode: facts.code,
    message: facts.message,
  });
  const label = facts.code ?? facts.type;
  return new OutlastError({
    kind,
    message: `upstream stream failed${label ? ` with ${label}` : ''}${facts.message ? `: ${facts.message}` : ''}`,
    providerType: facts.code ?? facts.type,
    providerMessage: facts.message,
  });
}

interface WireError {
  status: number;
  type: string;
  code: string | null;
  param?: string;
}

// What OpenAI itself answers for each failure class (types and codes as its API uses them).
const BY_KIND: Readonly<Record<ErrorKind, WireError>> = {
  rate_limited: { status: 429, type: 'requests', code: 'rate_limit_exceeded' },
  overloaded: { status: 503, type: 'server_error', code: 'overloaded' },
  server: { status: 500, type: 'server_error', code: null },
  network: { status: 502, type: 'server_error', code: 'upstream_unreachable' },
  timeout: { status: 504, type: 'server_error', code: 'timeout' },
  stream_interrupted: { status: 502, type: 'server_error', code: 'stream_interrupted' },
  invalid_response: { status: 502, type: 'server_error', code: 'invalid_upstream_response' },
  context_length: {
    status: 400,
    type: 'invalid_request_error',
    code: 'context_length_exceeded',
    param: 'messages',
  },
  content_filter: { status: 400, type: 'invalid_request_error', code: 'content_policy_violation' },
  auth: { status: 401, type: 'invalid_request_error', code: 'invalid_api_key' },
  permission: { status: 403, type: 'permission_error', code: null },
  not_found: { status: 404, type: 'invalid_request_error', code: 'model_not_found', param: 'model' },
  bad_request: { status: 400, type: 'invalid_request_error', code: null },
  // The caller went away; nobody reads this, but logs and proxies do.
  cancelled: { status: 499, type: 'request_cancelled', code: 'cancelled' },
};

function wireErrorOf(error: OutlastError): WireError {
  // A spent quota is a 429 to OpenAI clients even though we do not treat it as transient.
  if (error.providerType === 'insufficient_quota')
    return { status: 429, type: 'insufficient_quota', code: 'insufficient_quota' };
  return finerStatus(BY_KIND[error.kind], error);
}

export function openaiErrorBody(error: OutlastError): { wire: WireError; body: string } {
  const wire = wireErrorOf(error);
  const body = {
    error: {
      message: error.providerMessage ?? error.message,
      type: wire.type,
      param: wire.param ?? null,
      code: wire.code,
    },
  };
  return { wire, body: JSON.stringify(body) };
}

export function encodeOpenaiError(error: OutlastError): EncodedError {
  const { wire, body } = openaiErrorBody(error);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (error.requestId) headers['x-request-id'] = error.requestId;
  if (error.retryAfterMs !== undefined && error.retryAfterMs >= 0) {
    headers['retry-after'] = String(Math.ceil(error.retryAfterMs / 1000));
    headers['retry-after-ms'] = String(Math.round(error.retryAfterMs));
  }
  // The SDK retries 429 and 5xx on its own; tell it not to when trying again cannot help.
  if (!error.retryable) headers['x-should-retry'] = 'false';
  return { status: wire.status, headers, body };
}

/** The `data: {"error": ...}` frame a stream sends when it fails after the 200 (the SDK throws on it). */
export function encodeOpenaiStreamError(error: OutlastError): string {
  return formatSse(openaiErrorBody(error).body);
}
