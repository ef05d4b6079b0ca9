/**
 * usageMetadata ↔ canonical usage. Gemini's promptTokenCount includes cached tokens and its
 * candidatesTokenCount excludes thoughts; canonical input excludes cache reads (as Anthropic)
 * and output includes reasoning (as both others).
 */
import type { Usage } from '../canonical/index.ts';
import type { GeminiUsageMetadata } from './schemas.ts';

export function usageOf(meta: GeminiUsageMetadata | undefined): Usage {
  const prompt = meta?.promptTokenCount ?? 0;
  const cached = meta?.cachedContentTokenCount;
  const thoughts = meta?.thoughtsTokenCount;
  const usage: Usage = {
    inputTokens: prompt - (cached ?? 0),
    outputTokens: (meta?.candidatesTokenCount ?? 0) + (thoughts ?? 0),
  };
  if (cached !== undefined) usage.cacheReadTokens = cached;
  if (thoughts !== undefined) usage.reasoningTokens = thoughts;
  return usage;
}

/** Gemini has no cache-write count: written tokens were read as plain prompt tokens. */
export function promptTokensOf(usage: Partial<Usage>): number {
  return (usage.inputTokens ?? 0) + (usage.cacheReadTokens ?? 0) + (usage.cacheWriteTokens ?? 0);
}

export function usageMetadataOf(usage: Partial<Usage>, toolUsePromptTokens = 0): GeminiUsageMetadata {
  const prompt = promptTokensOf(usage);
  const thoughts = usage.reasoningTokens;
  const candidates = (usage.outputTokens ?? 0) - (thoughts ?? 0);
  const meta: GeminiUsageMetadata = {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: prompt + candidates + (thoughts ?? 0) + toolUsePromptTokens,
  };
  if (usage.cacheReadTokens !== undefined) meta.cachedContentTokenCount = usage.cacheReadTokens;
  if (thoughts !== undefined) meta.thoughtsTokenCount = thoughts;
  return meta;
}
