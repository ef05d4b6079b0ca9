/**
 * HTTP error faults as the real provider sends them: an OutlastError of the right kind,
 * status and provider type, encoded by the format's own codec, then the headers the fault
 * asked for (retry hints, rate-limit resets, request id). The 502 is the HTML page a proxy
 * in front of the API serves, which no codec produces.
 */
import { classifyHttpFailure, type ErrorKind, OutlastError } from '../errors/index.ts';
import { ANTHROPIC_ERROR_TYPES } from '../wire/anthropic/index.ts';
import type { WireFormat } from '../wire/canonical/index.ts';
import type { ServerCodec } from '../wire/codec.ts';
import { GEMINI_ERROR_TYPES } from '../wire/gemini/index.ts';
import { REQUEST_ID_HEADERS } from '../wire/index.ts';
import { OPENAI_ERROR_TYPES } from '../wire/openai/index.ts';
import type { HttpFault, StreamErrorKind } from './fault-spec.ts';

export interface WireError {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The message newer Claude models answer a trailing assistant turn with (400 invalid_request_error). */
export const PREFILL_REJECTED_MESSAGE =
  'This model does not support assistant message prefill. The conversation must end with a user message.';

// Provider error types per status: Anthropic `error.type`, OpenAI `error.code` (or type), Gemini `status`.
const PROVIDER_TYPES: Readonly<Record<WireFormat, Readonly<Record<number, string>>>> = {
  anthropic: {
    400: 'invalid_request_error',
    401: 'authentication_error',
    403: 'permission_error',
    404: 'not_found_error',
    413: 'request_too_large',
    429: 'rate_limit_error',
    500: 'api_error',
    503: 'overloaded_error',
    504: 'timeout_error',
    529: 'overloaded_error',
  },
  openai: {
    400: 'invalid_request_error',
    401: 'invalid_api_key',
    403: 'unsupported_country_region_territory',
    404: 'model_not_found',
    413: 'request_too_large',
    429: 'rate_limit_exceeded',
    500: 'server_error',
    503: 'server_error',
    504: 'timeout',
    529: 'server_error',
  },
  gemini: {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    413: 'INVALID_ARGUMENT',
    429: 'RESOURCE_EXHAUSTED',
    500: 'INTERNAL',
    503: 'UNAVAILABLE',
    504: 'DEADLINE_EXCEEDED',
    529: 'UNAVAILABLE',
  },
};

// The mock's own types per status are Anthropic's, OpenAI's and Gemini's: one table that knows them all.
const KIND_OF_TYPE = {
  ...ANTHROPIC_ERROR_TYPES,
  ...OPENAI_ERROR_TYPES,
  ...GEMINI_ERROR_TYPES,
  // OpenAI's 503 is `server_error` with a null code, which its codec writes for kind `server`.
  server_error: 'server',
} as const;

const MESSAGES: Readonly<Record<number, string>> = {
  400: 'Invalid request (injected by the outlast mock).',
  401: 'invalid x-api-key',
  403: 'Your API key does not have permission to use the specified resource.',
  404: 'The requested model does not exist or you do not have access to it.',
  413: 'Request exceeds the maximum allowed number of bytes.',
  429: 'Number of request tokens has exceeded your per-minute rate limit.',
  500: 'Internal server error',
  503: 'The service is temporarily unavailable. Please try again later.',
  504: 'Request timed out before the model answered.',
  529: 'Overloaded',
};

// A spent credit balance or quota in each provider's words (the bodies of real answers: see the
// wire folders' fixtures), with the status each sends it with. Gemini's carries the RetryInfo
// of seconds its real daily-quota answers carry, a hint that must not be waited for.
const QUOTA: Readonly<
  Record<WireFormat, { status: number; providerType: string; message: string; retryAfterMs?: number }>
> = {
  anthropic: {
    status: 400,
    providerType: 'invalid_request_error',
    message:
      'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
  },
  openai: {
    status: 429,
    providerType: 'insufficient_quota',
    message:
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
  },
  gemini: {
    status: 429,
    providerType: 'RESOURCE_EXHAUSTED',
    message:
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
    retryAfterMs: 47_000,
  },
};

/** The status a fault goes on the wire with: a quota fault's is its provider's own. */
function wireStatus(fault: HttpFault, format: WireFormat): number {
  return fault.variant === 'quota' ? QUOTA[format].status : fault.status;
}

function variantFacts(fault: HttpFault, format: WireFormat, model: string) {
  switch (fault.variant) {
    case 'quota':
      return {
        kind: 'quota_exceeded' as const,
        providerType: QUOTA[format].providerType,
        message: QUOTA[format].message,
      };
    case 'context_length':
      return {
        kind: 'context_length' as const,
        providerType: format === 'openai' ? 'context_length_exceeded' : undefined,
        message:
          format === 'openai'
            ? `This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.`
            : format === 'gemini'
              ? 'The input token count (1048577) exceeds the maximum number of tokens allowed (1048576).'
              : 'prompt is too long: 210000 tokens > 200000 maximum',
      };
    case 'content_filter':
      return {
        kind: 'content_filter' as const,
        providerType: format === 'openai' ? 'content_policy_violation' : undefined,
        message:
          format === 'anthropic'
            ? 'Output blocked by content filtering policy'
            : 'Your request was rejected as a result of our safety system.',
      };
    case 'prefill_rejected':
      return { kind: 'bad_request' as const, providerType: undefined, message: PREFILL_REJECTED_MESSAGE };
    default:
      return {
        kind: undefined,
        providerType: undefined,
        message: fault.status === 404 ? `model: ${model}` : undefined,
      };
  }
}

/** The OutlastError an HTTP fault stands for, as a provider of `format` would have raised it. */
export function faultError(
  fault: HttpFault,
  format: WireFormat,
  model: string,
  requestId: string,
): OutlastError {
  const v = variantFacts(fault, format, model);
  const status = wireStatus(fault, format);
  const providerType = v.providerType ?? PROVIDER_TYPES[format][status];
  const providerMessage = fault.message ?? v.message ?? MESSAGES[status] ?? `Error ${status}`;
  const kind: ErrorKind =
    v.kind ?? classifyHttpFailure({ status, providerType, message: providerMessage }, KIND_OF_TYPE);
  const retryAfterMs =
    fault.retryAfterMs ??
    (fault.retryAfter === undefined ? undefined : fault.retryAfter * 1000) ??
    (fault.variant === 'quota' ? QUOTA[format].retryAfterMs : undefined);
  return new OutlastError({
    kind,
    status,
    provider: format,
    model,
    message: `mock ${format}/${model} answered ${status}${providerType ? ` ${providerType}` : ''}`,
    providerType,
    providerMessage,
    requestId,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

const STREAM_ERRORS: Readonly<Record<StreamErrorKind, { status: number }>> = {
  overloaded: { status: 529 },
  rate_limited: { status: 429 },
  server: { status: 500 },
};

/** The error an in-band stream error event carries. */
export function streamFaultError(
  kind: StreamErrorKind,
  format: WireFormat,
  model: string,
  requestId: string,
): OutlastError {
  return faultError({ type: 'http', status: STREAM_ERRORS[kind].status }, format, model, requestId);
}

/** `1s`, `6m0s`, `250ms`: OpenAI's reset durations. */
function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${Number(seconds.toFixed(3))}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${Number((seconds - minutes * 60).toFixed(3))}s`;
}

function resetHeaders(format: WireFormat, resetMs: number, now: number): Record<string, string> {
  if (format === 'anthropic') {
    const at = new Date(now + resetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const out: Record<string, string> = {};
    for (const what of ['requests', 'tokens', 'input-tokens', 'output-tokens']) {
      out[`anthropic-ratelimit-${what}-limit`] = what === 'requests' ? '50' : '20000';
      out[`anthropic-ratelimit-${what}-remaining`] = '0';
      out[`anthropic-ratelimit-${what}-reset`] = at;
    }
    return out;
  }
  if (format === 'openai') {
    return {
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-limit-tokens': '150000',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-requests': goDuration(resetMs),
      'x-ratelimit-reset-tokens': goDuration(resetMs),
    };
  }
  return {};
}

/**
 * The request-limit headers a provider sends with every answer of a limited model: the
 * bucket's capacity, the whole tokens left, and when it is full again (Anthropic: an RFC 3339
 * time rounded up to the second; OpenAI: a duration). Gemini sends none.
 */
export function limiterHeaders(
  format: WireFormat,
  decision: { limit: number; remaining: number; fullMs: number },
  now: number,
): Record<string, string> {
  if (format === 'anthropic') {
    const at = new Date(Math.ceil((now + decision.fullMs) / 1000) * 1000)
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    return {
      'anthropic-ratelimit-requests-limit': String(decision.limit),
      'anthropic-ratelimit-requests-remaining': String(decision.remaining),
      'anthropic-ratelimit-requests-reset': at,
    };
  }
  if (format === 'openai') {
    return {
      'x-ratelimit-limit-requests': String(decision.limit),
      'x-ratelimit-remaining-requests': String(decision.remaining),
      'x-ratelimit-reset-requests': goDuration(decision.fullMs),
    };
  }
  return {};
}

/** What each provider says when its request limit refuses a call (our wording, in each one's manner). */
export function limitedMessage(
  format: WireFormat,
  model: string,
  limit: { capacity: number; refillPerSecond: number },
  waitMs: number,
): string {
  const rate = `${Number(limit.refillPerSecond.toFixed(3))} per second`;
  const burst = `${limit.capacity} request${limit.capacity === 1 ? '' : 's'} at once`;
  if (format === 'anthropic')
    return `This request would exceed the rate limit for ${model} (${burst}, refilling ${rate}). See the response headers for current usage, and retry after the time the retry-after header gives.`;
  if (format === 'openai')
    return `Rate limit reached for ${model} on requests: Limit ${limit.capacity}, Remaining 0, Requested 1, refilling ${rate}. Please try again in ${goDuration(waitMs)}.`;
  return `Resource has been exhausted (request limit for ${model}: ${limit.capacity}, refilling ${rate}).`;
}

// Shaped like the page a CDN in front of an API serves when the origin is unreachable.
const BAD_GATEWAY_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n';

/** The bytes of an HTTP error fault for `format`. */
export function encodeHttpFault(
  fault: HttpFault,
  context: { format: WireFormat; codec: ServerCodec; model: string; requestId: string; now: number },
): WireError {
  const { format, codec, model, requestId, now } = context;
  const idHeader = REQUEST_ID_HEADERS[format];
  let wire: WireError;
  if (fault.status === 502) {
    wire = { status: 502, headers: { 'content-type': 'text/html' }, body: BAD_GATEWAY_HTML };
  } else {
    const encoded = codec.encodeError(faultError(fault, format, model, requestId));
    // The status asked for goes on the wire even where the codec would name it otherwise.
    wire = { status: wireStatus(fault, format), headers: { ...encoded.headers }, body: encoded.body };
  }
  // Retry hints exactly as asked, whatever the codec derived from retryAfterMs.
  for (const name of Object.keys(wire.headers)) {
    if (/^retry-after(-ms)?$/i.test(name)) delete wire.headers[name];
  }
  if (fault.retryAfter !== undefined) wire.headers['retry-after'] = String(fault.retryAfter);
  if (fault.retryAfterMs !== undefined) wire.headers['retry-after-ms'] = String(fault.retryAfterMs);
  if (fault.shouldRetry !== undefined) wire.headers['x-should-retry'] = String(fault.shouldRetry);
  if (fault.resetMs !== undefined) Object.assign(wire.headers, resetHeaders(format, fault.resetMs, now));
  if (!Object.keys(wire.headers).some((h) => h.toLowerCase() === idHeader))
    wire.headers[idHeader] = requestId;
  return wire;
}

/** A failure of the mock's own making (bad input, bad fault header) as the provider's 400 / 404. */
export function encodeOwnError(
  codec: ServerCodec,
  format: WireFormat,
  error: OutlastError,
  requestId: string,
): WireError {
  const encoded = codec.encodeError(error.with({ requestId }));
  const headers = { ...encoded.headers };
  const idHeader = REQUEST_ID_HEADERS[format];
  if (!Object.keys(headers).some((h) => h.toLowerCase() === idHeader)) headers[idHeader] = requestId;
  return { status: encoded.status, headers, body: encoded.body };
}

/** The 400 a format answers when the prompt is longer than the model's context window. */
export function contextLengthMessage(format: WireFormat, limit: number, used: number): string {
  return format === 'openai'
    ? `This model's maximum context length is ${limit} tokens. However, your messages resulted in ${used} tokens. Please reduce the length of the messages.`
    : format === 'gemini'
      ? `The input token count (${used}) exceeds the maximum number of tokens allowed (${limit}).`
      : `prompt is too long: ${used} tokens > ${limit} maximum`;
}
