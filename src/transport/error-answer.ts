/**
 * A non-2xx answer → the codec's typed error, with the server's retry hints and the target
 * attached. Proxy pages (HTML 502s) go through the codec too: it classifies by status.
 */
import { OutlastError, targetLabel, withUpstreamFacts } from '../errors/index.ts';
import type { Clock } from '../policy/clock.ts';
import type { AttemptScope } from '../policy/deadline.ts';
import { readServerHint } from '../policy/retry-after.ts';
import type { ClientCodec } from '../wire/codec.ts';
import { headerGetter } from '../wire/shared/index.ts';
import type { ResponseBody } from './dispatch.ts';
import { ERROR_BODY_LIMIT, readBodyText } from './read-body.ts';
import { readFailure } from './read-failure.ts';

export interface AnswerContext {
  codec: ClientCodec;
  provider: string;
  model: string;
  scope: AttemptScope;
  clock: Clock;
}

export async function errorFromAnswer(
  context: AnswerContext,
  status: number,
  headers: Headers,
  body: ResponseBody,
): Promise<OutlastError> {
  const { codec, provider, model, scope, clock } = context;
  const requestId = codec.requestIdOf(headers);
  let text = '';
  try {
    // The error body is read under the idle budget: a stalled error body is a stalled stream.
    scope.enter('idle');
    text = (await readBodyText(body, ERROR_BODY_LIMIT, () => scope.touch())).text;
  } catch (e) {
    // The status alone still classifies; an abort while reading wins (it names the phase).
    const failure = readFailure(e, scope, { provider, model });
    if (failure.kind === 'timeout' || failure.kind === 'cancelled') throw failure;
  }
  const error = codec.decodeError(status, headers, text);
  const hint = readServerHint(headerGetter(headers), clock.now());
  // The headers' hint wins over one in the body (Gemini's RetryInfo), as the SDKs read them.
  return withUpstreamFacts(error, {
    provider,
    model,
    status,
    requestId: error.requestId ?? requestId,
    retryAfterMs: hint.retryAfterMs,
    retryable: hint.shouldRetry === false ? false : undefined,
  });
}

/** A 2xx whose body is not the event stream that was asked for (a JSON answer, an HTML page). */
export async function notAStream(
  context: AnswerContext,
  status: number,
  headers: Headers,
  body: ResponseBody,
): Promise<OutlastError> {
  const { codec, provider, model, scope } = context;
  const contentType = headers.get('content-type') ?? '(none)';
  let snippet = '';
  try {
    scope.enter('idle');
    snippet = (await readBodyText(body, 2048, () => scope.touch())).text.slice(0, 200);
  } catch (e) {
    const failure = readFailure(e, scope, { provider, model });
    if (failure.kind === 'timeout' || failure.kind === 'cancelled') throw failure;
  }
  const requestId = codec.requestIdOf(headers);
  return new OutlastError({
    kind: 'invalid_response',
    message: `upstream ${targetLabel(provider, model)} answered ${status} with ${contentType} instead of an event stream`,
    status,
    provider,
    model,
    ...(requestId === undefined ? {} : { requestId }),
    ...(snippet ? { providerMessage: snippet } : {}),
  });
}
