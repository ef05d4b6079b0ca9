/**
 * Errors both ways. Client side: an OpenAI-format error answer (or an in-band stream error
 * chunk) → OutlastError. Server side: OutlastError → OpenAI's status, headers and
 * `{"error":{"message","type","param","code"}}` body (all four keys, as the spec requires).
 * Retry-After is not parsed here: the transport adds `retryAfterMs` from the headers.
 */
import {
  clientMessageOf,
  type ErrorKind,
  type OutlastError,
  type ProviderErrorTypes,
  SPECIFIC_CODES,
  upstreamError,
} from '../../errors/index.ts';
import type { EncodedError, HeaderBag } from '../codec.ts';
import { decodeHttpError, parseErrorBody } from '../shared/decode-http-error.ts';
import { finerStatus } from '../shared/finer-status.ts';
import { formatSse, getHeader } from '../shared/index.ts';
import { saysQuotaExhausted } from '../shared/quota-text.ts';
import { isJsonObject } from './passthrough.ts';
import { OPENAI_REQUEST_ID_HEADER } from './provider-facts.ts';

/**
 * OpenAI's error types and codes (platform.openai.com/docs/guides/error-codes), and those
 * OpenAI-compatible servers and proxies use, by what they mean whatever the status.
 */
export const OPENAI_ERROR_TYPES: ProviderErrorTypes = {
  context_length_exceeded: 'context_length',
  string_above_max_length: 'bad_request',
  content_policy_violation: 'content_filter',
  content_filter: 'content_filter',
  rate_limit_exceeded: 'rate_limited',
  // 429 `insufficient_quota` (type and code): the account's credit or monthly quota is spent.
  insufficient_quota: 'quota_exceeded',
  // 400 `billing_hard_limit_reached` (images and older endpoints): the spend limit set on the account.
  billing_hard_limit_reached: 'quota_exceeded',
  // 402 `insufficient_credits` of OpenAI-compatible gateways (with type `insufficient_quota`).
  insufficient_credits: 'quota_exceeded',
  invalid_api_key: 'auth',
  model_not_found: 'not_found',
  // Not `server_error`: OpenAI's type for every 5xx, 503 overload included, so the status says more.
  // What outlast's own OpenAI-dialect errors say for overload (OpenAI has no type of its own for it).
  overloaded: 'overloaded',
  // Anthropic's types, as OpenAI-compatible proxies in front of Claude relay them.
  overloaded_error: 'overloaded',
  rate_limit_error: 'rate_limited',
  authentication_error: 'auth',
  permission_error: 'permission',
  not_found_error: 'not_found',
};

export function openaiRequestIdOf(headers: HeaderBag): string | undefined {
  return getHeader(headers, OPENAI_REQUEST_ID_HEADER);
}

interface ErrorFacts {
  message?: string;
  type?: string;
  code?: string;
}

/** The error object of an OpenAI body, or of the shapes compatible servers use (`{error: "..."}`, FastAPI `{detail}`). */
function readErrorBody(bodyText: string): ErrorFacts | undefined {
  const body = parseErrorBody(bodyText);
  if (!body) return undefined;
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
  return decodeHttpError(status, bodyText, facts, openaiRequestIdOf(headers), OPENAI_ERROR_TYPES);
}

/** An in-band `{"error": {...}}` chunk after the 200. */
export function decodeOpenaiStreamError(error: unknown): OutlastError {
  const facts =
    typeof error === 'string' ? { message: error } : isJsonObject(error) ? readErrorObject(error) : {};
  return upstreamError(
    {
      providerType: facts.type,
      providerCode: facts.code,
      message: facts.message,
      quotaExhausted: saysQuotaExhausted(undefined, facts.message),
      providerMessage: facts.message,
    },
    OPENAI_ERROR_TYPES,
  );
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
  // What OpenAI itself answers for a spent quota; its SDK does not retry it once told not to.
  quota_exceeded: { status: 429, type: 'insufficient_quota', code: 'insufficient_quota' },
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
  // A path the server does not serve: OpenAI's own answer names the URL, not a model.
  if (error.code === SPECIFIC_CODES.NO_ROUTE)
    return { status: 404, type: 'invalid_request_error', code: 'unknown_url' };
  // OpenAI's own name for a reached spend limit, kept when that is what the upstream said.
  if (error.providerType === 'billing_hard_limit_reached')
    return { status: 400, type: 'invalid_request_error', code: 'billing_hard_limit_reached' };
  return finerStatus(BY_KIND[error.kind], error);
}

export function openaiErrorBody(error: OutlastError): { wire: WireError; body: string } {
  const wire = wireErrorOf(error);
  const body = {
    error: {
      message: clientMessageOf(error),
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
