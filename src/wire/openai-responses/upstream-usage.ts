/** Responses API usage → canonical: `input_tokens` counts cached ones, canonical input does not. */
import type { Usage } from '../canonical/index.ts';
import { isJsonObject } from '../shared/passthrough.ts';

const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

export function decodeResponsesUsage(raw: unknown): Usage | undefined {
  if (!isJsonObject(raw)) return undefined;
  const cached = isJsonObject(raw.input_tokens_details)
    ? num(raw.input_tokens_details.cached_tokens)
    : undefined;
  const reasoning = isJsonObject(raw.output_tokens_details)
    ? num(raw.output_tokens_details.reasoning_tokens)
    : undefined;
  const usage: Usage = {
    inputTokens: (num(raw.input_tokens) ?? 0) - (cached ?? 0),
    outputTokens: num(raw.output_tokens) ?? 0,
  };
  if (cached) usage.cacheReadTokens = cached;
  if (reasoning) usage.reasoningTokens = reasoning;
  return usage;
}
