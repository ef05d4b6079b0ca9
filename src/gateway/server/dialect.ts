/**
 * What differs between the two API shapes the gateway speaks: the codec, the request-id
 * header the client's SDK reads, and how errors are written. Errors leaving the gateway
 * never carry upstream secrets, and an upstream's refusal of the gateway's own credentials
 * is not passed on as a 401 the client would take for its own key's fault.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { OutlastError } from '../../errors/index.ts';
import type { ServerCodec } from '../../wire/codec.ts';
import { factsOf } from './request-facts.ts';

export interface Dialect {
  readonly name: 'anthropic' | 'openai';
  readonly codec: ServerCodec;
  /** `request-id` (Anthropic SDK) or `x-request-id` (OpenAI SDK). */
  readonly requestIdHeader: string;
}

export function createDialect(name: Dialect['name'], codec: ServerCodec): Dialect {
  return { name, codec, requestIdHeader: name === 'anthropic' ? 'request-id' : 'x-request-id' };
}

export function newRequestId(): string {
  return `req_${randomUUID().replaceAll('-', '')}`;
}

/** The error as the client should see it. */
export function clientFacingError(error: unknown, redact: (text: string) => string): OutlastError {
  // Anything not already typed is a bug of ours, not the client's or an upstream's fault.
  const e = OutlastError.isInstance(error)
    ? error
    : new OutlastError({
        kind: 'server',
        status: 500,
        retryable: false,
        message: 'internal gateway error',
        cause: error,
      });
  const providerMessage = e.providerMessage === undefined ? undefined : redact(e.providerMessage);
  let out = e.with({
    message: redact(e.message),
    ...(providerMessage === undefined ? {} : { providerMessage }),
  });
  if ((e.kind === 'auth' || e.kind === 'permission') && e.provider !== undefined) {
    out = out.with({
      kind: 'server',
      status: 502,
      retryable: false,
      code: 'OUTLAST_UPSTREAM_CREDENTIALS',
      message: redact(`the gateway's credentials for ${e.provider} were refused upstream: ${e.message}`),
      providerMessage: undefined,
    });
  }
  return out;
}

export function sendError(
  res: ServerResponse,
  dialect: Dialect,
  error: OutlastError,
  requestId: string,
  extraHeaders: Record<string, string> = {},
): number {
  const encoded = dialect.codec.encodeError(error.with({ requestId }));
  const facts = factsOf(res);
  facts.requestId ??= requestId;
  facts.errorKind = error.kind;
  if (error.attempts) facts.attempts = error.attempts.length;
  res.writeHead(encoded.status, {
    ...encoded.headers,
    'content-length': Buffer.byteLength(encoded.body),
    [dialect.requestIdHeader]: requestId,
    'x-outlast-request-id': requestId,
    ...(error.attempts ? { 'x-outlast-attempts': String(error.attempts.length) } : {}),
    ...extraHeaders,
  });
  res.end(encoded.body);
  return encoded.status;
}
