/**
 * The one way an upstream's error answer becomes an OutlastError, and the one shape of its
 * message: `upstream anthropic/claude-sonnet-4-5 answered 529 overloaded_error: Overloaded`,
 * or, for an error event after the 200, `upstream openai/gpt-4.1 stream failed with
 * server_error: …`. Each wire codec reads its provider's body into these facts (what the
 * provider said, in its own words); this module turns them into the error and its message,
 * as openai-node's `APIError.generate` does for its subclasses.
 */
import { classifyHttpFailure, type HttpFailureFacts, type ProviderErrorTypes } from './classify.ts';
import type { ErrorKind } from './error-kind.ts';
import { OutlastError, targetLabel } from './outlast-error.ts';

export interface UpstreamErrorFacts extends HttpFailureFacts {
  provider?: string | undefined;
  model?: string | undefined;
  /** The provider's own message, verbatim (or an excerpt of a body that is not its error shape). */
  providerMessage?: string | undefined;
  requestId?: string | undefined;
  /** A retry hint from the body (Gemini `RetryInfo`) or the headers. */
  retryAfterMs?: number | undefined;
  /** False when the server said not to retry (`x-should-retry: false`). */
  retryable?: boolean | undefined;
  /** Set by a codec that knows better than the classifier (a Gemini auth failure hidden in a 400). */
  kind?: ErrorKind | undefined;
}

/** `upstream anthropic/claude-x answered 529 overloaded_error: Overloaded`. */
export function upstreamErrorMessage(facts: UpstreamErrorFacts): string {
  const who = facts.provider || facts.model ? ` ${targetLabel(facts.provider, facts.model)}` : '';
  const type = facts.providerCode ?? facts.providerType;
  const said = facts.providerMessage ? `: ${facts.providerMessage}` : '';
  if (facts.status === undefined) return `upstream${who} stream failed${type ? ` with ${type}` : ''}${said}`;
  return `upstream${who} answered ${facts.status}${type ? ` ${type}` : ''}${said}`;
}

/**
 * The typed error of an upstream's error answer (or in-band error): classified with the
 * provider's own table of types, the message in the one shape, the provider's type, message,
 * request id and retry hint kept.
 */
export function upstreamError(facts: UpstreamErrorFacts, types?: ProviderErrorTypes): OutlastError {
  const kind = facts.kind ?? classifyHttpFailure(facts, types);
  const providerType = facts.providerCode ?? facts.providerType;
  return new OutlastError({
    kind,
    message: upstreamErrorMessage(facts),
    ...(facts.status === undefined ? {} : { status: facts.status }),
    ...(facts.provider === undefined ? {} : { provider: facts.provider }),
    ...(facts.model === undefined ? {} : { model: facts.model }),
    ...(providerType === undefined ? {} : { providerType }),
    ...(facts.providerMessage === undefined ? {} : { providerMessage: facts.providerMessage }),
    ...(facts.requestId === undefined ? {} : { requestId: facts.requestId }),
    ...(facts.retryAfterMs === undefined ? {} : { retryAfterMs: facts.retryAfterMs }),
    ...(facts.retryable === undefined ? {} : { retryable: facts.retryable }),
  });
}

/**
 * The same error once the transport knows more (the target, the headers' hint, the request
 * id): the message is rewritten in the one shape with the target named.
 */
export function withUpstreamFacts(
  error: OutlastError,
  changes: Pick<
    UpstreamErrorFacts,
    'provider' | 'model' | 'status' | 'requestId' | 'retryAfterMs' | 'retryable'
  >,
): OutlastError {
  const merged: UpstreamErrorFacts = {
    provider: changes.provider ?? error.provider,
    model: changes.model ?? error.model,
    status: changes.status ?? error.status,
    providerType: error.providerType,
    providerMessage: error.providerMessage,
  };
  const options = {
    ...error.options(),
    message: upstreamErrorMessage(merged),
  };
  for (const [key, value] of Object.entries(changes)) {
    if (value !== undefined) (options as Record<string, unknown>)[key] = value;
  }
  return new OutlastError(options);
}
