/**
 * The API shape a gateway endpoint speaks (its codec), and how the gateway's errors leave it:
 * never carrying upstream secrets, and an upstream's refusal of the gateway's own credentials
 * not passed on as a 401 the client would take for its own key's fault. The answers
 * themselves (headers, error bodies) are src/serve's, written here onto node:http.
 */
import type { ServerResponse } from 'node:http';
import { OutlastError, SPECIFIC_CODES } from '../../errors/index.ts';
import { errorAnswer } from '../../serve/index.ts';
import type { ServerCodec } from '../../wire/codec.ts';
import { writeAnswer } from './write-answer.ts';

export { newRequestId } from '../../wire/shared/request-id.ts';

export interface Dialect {
  readonly name: 'anthropic' | 'openai' | 'gemini';
  readonly codec: ServerCodec;
}

export function createDialect(name: Dialect['name'], codec: ServerCodec): Dialect {
  return { name, codec };
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
      code: SPECIFIC_CODES.UPSTREAM_CREDENTIALS,
      message: redact(`the gateway's credentials for ${e.provider} were refused upstream: ${e.message}`),
      providerMessage: undefined,
    });
  }
  return out;
}

/** A request refused before (or instead of) being served, in the dialect's shape. */
export function sendError(
  res: ServerResponse,
  dialect: Dialect,
  error: OutlastError,
  requestId: string,
  extraHeaders?: Record<string, string>,
): number {
  return writeAnswer(res, errorAnswer(dialect.codec, error, { requestId }, extraHeaders));
}
