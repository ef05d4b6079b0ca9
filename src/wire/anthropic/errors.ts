/**
 * Errors both ways. Client side: an Anthropic error answer (or an in-band `error` event) →
 * OutlastError. Server side: OutlastError → Anthropic's status, headers and
 * `{"type":"error","error":{"type","message"},"request_id"}` body. Retry-After is not parsed
 * here: the transport adds `retryAfterMs` from the headers with the policy layer's parser.
 */
import {
  clientMessageOf,
  type ErrorKind,
  type OutlastError,
  type ProviderErrorTypes,
  upstreamError,
} from '../../errors/index.ts';
import type { EncodedError, HeaderBag } from '../codec.ts';
import { decodeHttpError, parseErrorBody } from '../shared/decode-http-error.ts';
import { finerStatus } from '../shared/finer-status.ts';
import { formatSse, getHeader } from '../shared/index.ts';
import { saysQuotaExhausted } from '../shared/quota-text.ts';
import { newRequestId } from '../shared/request-id.ts';
import { isJsonObject } from './passthrough.ts';
import { ANTHROPIC_REQUEST_ID_HEADER } from './provider-facts.ts';

/**
 * Anthropic's error types (platform.claude.com/docs/en/api/errors, the SDK's ErrorType union)
 * and the `details.error_code`s it adds, by what they mean whatever the status.
 */
export const ANTHROPIC_ERROR_TYPES: ProviderErrorTypes = {
  overloaded_error: 'overloaded',
  rate_limit_error: 'rate_limited',
  api_error: 'server',
  timeout_error: 'server',
  authentication_error: 'auth',
  permission_error: 'permission',
  // 402: the organisation's credit is spent; it stays spent until someone pays.
  billing_error: 'quota_exceeded',
  not_found_error: 'not_found',
  request_too_large: 'bad_request',
  // A 429 `rate_limit_error` whose details say the spend limit was reached: no retry-after, no clearing.
  enforced_spend_limit_reached: 'quota_exceeded',
};

export function anthropicRequestIdOf(headers: HeaderBag): string | undefined {
  return getHeader(headers, ANTHROPIC_REQUEST_ID_HEADER);
}

interface ErrorFacts {
  type?: string;
  message?: string;
  /** `error.details.error_code`, e.g. `enforced_spend_limit_reached` on a 429 that will not clear. */
  code?: string;
  requestId?: string;
}

function readErrorObject(error: Record<string, unknown>): ErrorFacts {
  const facts: ErrorFacts = {};
  if (typeof error.type === 'string') facts.type = error.type;
  if (typeof error.message === 'string') facts.message = error.message;
  const details = error.details;
  if (isJsonObject(details) && typeof details.error_code === 'string') facts.code = details.error_code;
  return facts;
}

function readErrorBody(bodyText: string): ErrorFacts | undefined {
  const body = parseErrorBody(bodyText);
  if (!body) return undefined;
  // Anthropic's own shape, then the `{"error": "text"}` and `{"message"}` of proxies in front of it.
  let facts: ErrorFacts | undefined;
  if (isJsonObject(body.error)) facts = readErrorObject(body.error);
  else if (typeof body.error === 'string') facts = { message: body.error };
  else if (typeof body.message === 'string') facts = { message: body.message };
  if (facts && typeof body.request_id === 'string') facts.requestId = body.request_id;
  return facts;
}

export function decodeAnthropicError(status: number, headers: HeaderBag, bodyText: string): OutlastError {
  const facts = readErrorBody(bodyText);
  return decodeHttpError(
    status,
    bodyText,
    facts,
    anthropicRequestIdOf(headers) ?? facts?.requestId,
    ANTHROPIC_ERROR_TYPES,
  );
}

/** The body of an in-band `event: error` after the 200 (no status: its type says what failed). */
export function decodeAnthropicStreamError(data: unknown): OutlastError {
  const error = isJsonObject(data) && isJsonObject(data.error) ? readErrorObject(data.error) : {};
  const requestId = isJsonObject(data) && typeof data.request_id === 'string' ? data.request_id : undefined;
  return upstreamError(
    {
      providerType: error.type,
      providerCode: error.code,
      message: error.message,
      quotaExhausted: saysQuotaExhausted(undefined, error.message),
      providerMessage: error.message,
      requestId,
    },
    ANTHROPIC_ERROR_TYPES,
  );
}

interface WireError {
  status: number;
  type: string;
}

// What Anthropic itself answers for each failure class.
const BY_KIND: Readonly<Record<ErrorKind, WireError>> = {
  rate_limited: { status: 429, type: 'rate_limit_error' },
  // What Anthropic itself answers when the credit balance is spent: a 400 (its clients do not retry it).
  quota_exceeded: { status: 400, type: 'invalid_request_error' },
  overloaded: { status: 529, type: 'overloaded_error' },
  server: { status: 500, type: 'api_error' },
  network: { status: 502, type: 'api_error' },
  timeout: { status: 504, type: 'timeout_error' },
  stream_interrupted: { status: 500, type: 'api_error' },
  invalid_response: { status: 502, type: 'api_error' },
  context_length: { status: 400, type: 'invalid_request_error' },
  content_filter: { status: 400, type: 'invalid_request_error' },
  auth: { status: 401, type: 'authentication_error' },
  permission: { status: 403, type: 'permission_error' },
  not_found: { status: 404, type: 'not_found_error' },
  bad_request: { status: 400, type: 'invalid_request_error' },
  // The caller went away; nobody reads this, but logs and proxies do (nginx's "client closed").
  cancelled: { status: 499, type: 'api_error' },
};

function wireErrorOf(error: OutlastError): WireError {
  // Finer upstream facts that say the same thing in Anthropic's own words.
  switch (error.providerType) {
    case 'billing_error':
      return { status: 402, type: 'billing_error' };
    case 'request_too_large':
      return { status: 413, type: 'request_too_large' };
    case 'timeout_error':
      return { status: 504, type: 'timeout_error' };
    case 'enforced_spend_limit_reached':
      return { status: 429, type: 'rate_limit_error' };
  }
  return finerStatus(BY_KIND[error.kind], error);
}

function messageOf(error: OutlastError): string {
  const text = clientMessageOf(error);
  // Anthropic's clients (and our classifier) recognise an over-long prompt by these words.
  if (error.kind === 'context_length' && !/^prompt is too long/i.test(text))
    return `prompt is too long: ${text}`;
  return text;
}

function errorBody(error: OutlastError, wire: WireError, requestId?: string): string {
  const inner: Record<string, unknown> = { type: wire.type, message: messageOf(error) };
  // The only sign that tells a spend limit from a rate limit: kept, so a client (or another outlast) still can.
  if (error.providerType === 'enforced_spend_limit_reached')
    inner.details = { error_code: 'enforced_spend_limit_reached' };
  const body: Record<string, unknown> = { type: 'error', error: inner };
  if (requestId) body.request_id = requestId;
  return JSON.stringify(body);
}

export function encodeAnthropicError(error: OutlastError): EncodedError {
  const wire = wireErrorOf(error);
  const requestId = error.requestId ?? newRequestId();
  const headers: Record<string, string> = { 'content-type': 'application/json', 'request-id': requestId };
  if (error.retryAfterMs !== undefined && error.retryAfterMs >= 0) {
    headers['retry-after'] = String(Math.ceil(error.retryAfterMs / 1000));
    headers['retry-after-ms'] = String(Math.round(error.retryAfterMs));
  }
  // The SDK retries 408/409/429/5xx on its own; tell it not to when trying again cannot help.
  if (!error.retryable) headers['x-should-retry'] = 'false';
  return { status: wire.status, headers, body: errorBody(error, wire, requestId) };
}

/** The `event: error` frame a stream sends when it fails after the 200. */
export function encodeAnthropicStreamError(error: OutlastError): string {
  const wire = wireErrorOf(error);
  return formatSse(errorBody(error, wire, error.requestId), 'error');
}
