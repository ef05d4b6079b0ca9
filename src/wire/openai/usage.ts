/**
 * OpenAI usage ↔ canonical. OpenAI's prompt_tokens include cached tokens; canonical input
 * excludes them (as Anthropic's input_tokens does), so input = prompt − cached and back.
 */
import type { Usage } from '../canonical/index.ts';
import { isJsonObject } from './passthrough.ts';
import type { OpenAIUsage } from './sdk-types.ts';

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function decodeUsage(raw: unknown): Usage {
  if (!isJsonObject(raw)) return { inputTokens: 0, outputTokens: 0 };
  const prompt = num(raw.prompt_tokens) ?? 0;
  const cached = isJsonObject(raw.prompt_tokens_details)
    ? num(raw.prompt_tokens_details.cached_tokens)
    : undefined;
  const reasoning = isJsonObject(raw.completion_tokens_details)
    ? num(raw.completion_tokens_details.reasoning_tokens)
    : undefined;
  const usage: Usage = { inputTokens: prompt - (cached ?? 0), outputTokens: num(raw.completion_tokens) ?? 0 };
  if (cached !== undefined) usage.cacheReadTokens = cached;
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  return usage;
}

export function encodeUsage(usage: Partial<Usage>): OpenAIUsage {
  const cacheRead = usage.cacheReadTokens;
  const prompt = (usage.inputTokens ?? 0) + (cacheRead ?? 0) + (usage.cacheWriteTokens ?? 0);
  const completion = usage.outputTokens ?? 0;
  const out: OpenAIUsage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
  if (cacheRead !== undefined) out.prompt_tokens_details = { cached_tokens: cacheRead };
  if (usage.reasoningTokens !== undefined)
    out.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  return out;
}
