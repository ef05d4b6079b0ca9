/**
 * cockatiel policies composed as its README suggests: per model, `wrap(retry, breaker, timeout)`
 * (retry with ExponentialBackoff over a ConsecutiveBreaker, each attempt under a timeout whose
 * signal cancels the request), and a `fallback` policy that calls the next model through its
 * own wrapped policy when the primary's gives up. The SDK's retries are off: cockatiel retries.
 * Breakers live as long as the instance, so they see the whole scenario's traffic.
 */
import Anthropic from '@anthropic-ai/sdk';
import {
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  fallback,
  handleAll,
  type IPolicy,
  retry,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import { type Answer, streamMessage } from './anthropic-stream.ts';

export interface CockatielOptions {
  baseURL: string;
  /** Primary then the fallback. */
  models: readonly [string, string];
  maxTokens: number;
  /** Per attempt, ms, covering the whole streamed answer (cockatiel's timeout wraps the call). */
  timeoutMs: number;
  /** Retries after the first attempt, per model. */
  retries: number;
}

export function createCockatielCaller(
  options: CockatielOptions,
): (prompt: string, signal?: AbortSignal) => Promise<Answer> {
  const client = new Anthropic({
    baseURL: options.baseURL,
    apiKey: 'bench-key',
    maxRetries: 0,
    timeout: options.timeoutMs,
  });
  const perModel = (): IPolicy => {
    const retryPolicy = retry(handleAll, { maxAttempts: options.retries, backoff: new ExponentialBackoff() });
    const breaker = circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
    const perAttempt = timeout(options.timeoutMs, TimeoutStrategy.Aggressive);
    return wrap(retryPolicy, breaker, perAttempt);
  };
  const [primary, secondary] = options.models;
  const primaryPolicy = perModel();
  const secondaryPolicy = perModel();
  return async (prompt, signal) => {
    const ask = (model: string) => (context: { signal: AbortSignal }) =>
      streamMessage(client, { model, prompt, maxTokens: options.maxTokens }, context.signal);
    const withFallback = fallback(handleAll, () => secondaryPolicy.execute(ask(secondary), signal));
    return await withFallback.execute(() => primaryPolicy.execute(ask(primary), signal), signal);
  };
}
