/**
 * outlast's final error → the AI SDK's APICallError. `isRetryable` is always false: the
 * engine has already spent its retries and fallbacks on this call, so the AI SDK's own
 * `maxRetries` (2 by default) would only multiply upstream attempts, three times over.
 * The OutlastError rides along as `cause`, and its JSON (kind, code, attempts) as `data`.
 */
import { APICallError } from '@ai-sdk/provider';
import { DEFAULT_BASE_URLS, type EngineSettings } from '../../engine/index.ts';
import { type OutlastError, toOutlastError } from '../../errors/index.ts';
import type { CanonicalRequest } from '../../wire/canonical/index.ts';

/** The base URL of the provider that failed last, or an `outlast:` URL naming the route when none did. */
function urlOf(error: OutlastError, settings: EngineSettings, request: CanonicalRequest): string {
  const provider = error.provider === undefined ? undefined : settings.providers[error.provider];
  if (provider) return provider.baseURL ?? DEFAULT_BASE_URLS[provider.type];
  return `outlast:${encodeURIComponent(request.model)}`;
}

export function toApiCallError(
  cause: unknown,
  settings: EngineSettings,
  request: CanonicalRequest,
): APICallError {
  const error = toOutlastError(cause);
  return new APICallError({
    message: error.message,
    url: urlOf(error, settings, request),
    requestBodyValues: request,
    ...(error.status === undefined ? {} : { statusCode: error.status }),
    ...(error.providerMessage === undefined ? {} : { responseBody: error.providerMessage }),
    isRetryable: false,
    data: error.toJSON(),
    cause: error,
  });
}
