/**
 * An HTTP error answer → OutlastError, for the formats whose error body names a message, a
 * type and a code (Anthropic's and OpenAI's envelopes, and the proxies' `{"error": "text"}`):
 * each format reads its own body into these facts; what follows is the same for both. Gemini's
 * body says more (a status name, details) and has its own.
 */
import { type OutlastError, type ProviderErrorTypes, upstreamError } from '../../errors/index.ts';
import { bodyExcerpt } from './body-excerpt.ts';
import { isPlainObject } from './is-plain-object.ts';
import { saysQuotaExhausted } from './quota-text.ts';

export interface ErrorBodyFacts {
  message?: string;
  type?: string;
  code?: string;
}

/** An error answer's body as a JSON object, or undefined when it is not one (a proxy's HTML, an empty body). */
export function parseErrorBody(bodyText: string): Record<string, unknown> | undefined {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  return isPlainObject(body) ? body : undefined;
}

export function decodeHttpError(
  status: number,
  bodyText: string,
  facts: ErrorBodyFacts | undefined,
  requestId: string | undefined,
  types: ProviderErrorTypes,
): OutlastError {
  // A body that is not the envelope (a proxy's HTML page) still says something: an excerpt.
  const providerMessage = facts?.message ?? (bodyText.trim() === '' ? undefined : bodyExcerpt(bodyText));
  return upstreamError(
    {
      status,
      providerType: facts?.type,
      // The finer of the two names where a format has both (`insufficient_quota`, `context_length_exceeded`).
      providerCode: facts?.code,
      message: providerMessage,
      quotaExhausted: saysQuotaExhausted(status, facts?.message),
      providerMessage,
      requestId,
    },
    types,
  );
}
