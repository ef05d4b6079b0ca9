/**
 * Notices the SDK retrying on top of outlast, and says so once: each SDK retry re-runs a
 * whole route (its retries and fallbacks included), so attempts multiply. The Stainless SDKs
 * (Anthropic, OpenAI) number their retries in `x-stainless-retry-count`; outlast answers its
 * errors with `x-should-retry: false`, so a retry shows the SDK retrying on its own account
 * (its timeout, or a pass-through call's failure).
 */
export const SDK_RETRY_WARNING =
  'outlast/fetch: the SDK is retrying on top of outlast, so attempts multiply; construct it with maxRetries: 0 (outlast already retries and falls back)';

export function createSdkRetryWatch(warn: (message: string) => void): (headers: Headers) => void {
  let warned = false;
  return (headers) => {
    if (warned) return;
    const count = Number(headers.get('x-stainless-retry-count') ?? '0');
    if (!(count > 0)) return;
    warned = true;
    warn(SDK_RETRY_WARNING);
  };
}
