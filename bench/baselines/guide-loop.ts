/**
 * The retry-then-fallback loop from the widely copied "AI API resilience" guide
 * (/work/shared/reference/resilience-guide.txt, "Combining Retries with Fallbacks"),
 * reimplemented in TypeScript on the official Anthropic SDK as its readers would port it:
 * - models tried in order, RETRIES_PER_MODEL = 2 attempts on each;
 * - a RateLimitError waits 2^attempt s plus U(0, 1) s, then tries again;
 * - a status error 500/502/503/529 waits 3 s, then tries again;
 * - anything else (other statuses, connection errors, timeouts, a stream cut) is raised at once;
 * - after the last model: "All models and retries exhausted".
 * The SDK's own retries are off (maxRetries: 0), as the guide's loop is the retry logic.
 */
import Anthropic from '@anthropic-ai/sdk';
import { type Answer, sleep, streamMessage } from './anthropic-stream.ts';

export interface GuideLoopOptions {
  baseURL: string;
  models: readonly string[];
  maxTokens: number;
  /** Per-request SDK timeout, ms (the guide sets a read timeout; the benchmark gives every system the same). */
  timeoutMs: number;
  retriesPerModel?: number;
  random?: () => number;
}

export function createGuideLoop(
  options: GuideLoopOptions,
): (prompt: string, signal?: AbortSignal) => Promise<Answer> {
  const client = new Anthropic({
    baseURL: options.baseURL,
    apiKey: 'bench-key',
    maxRetries: 0,
    timeout: options.timeoutMs,
  });
  const retriesPerModel = options.retriesPerModel ?? 2;
  const random = options.random ?? Math.random;
  return async (prompt, signal) => {
    for (const model of options.models) {
      for (let attempt = 0; attempt < retriesPerModel; attempt++) {
        try {
          return await streamMessage(client, { model, prompt, maxTokens: options.maxTokens }, signal);
        } catch (err) {
          if (err instanceof Anthropic.RateLimitError) {
            await sleep((2 ** attempt + random()) * 1000, signal);
          } else if (
            err instanceof Anthropic.APIError &&
            !(err instanceof Anthropic.APIConnectionError) &&
            err.status !== undefined &&
            [500, 502, 503, 529].includes(err.status)
          ) {
            await sleep(3000, signal);
          } else {
            throw err;
          }
        }
      }
    }
    throw new Error('All models and retries exhausted');
  };
}
