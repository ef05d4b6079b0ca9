/**
 * Anthropic usage ↔ canonical. The two agree: input_tokens excludes cache reads and writes.
 * Fields Anthropic adds (`cache_creation`, `server_tool_use`, `service_tier`, …) and nulls
 * are remembered in the notes so a response comes back as it was.
 */

import type { JsonObject, Usage } from '../canonical/index.ts';
import { isJsonObject, unknownFields } from './passthrough.ts';
import type { AnthropicUsage } from './sdk-types.ts';

const USAGE_KEYS = [
  'input_tokens',
  'output_tokens',
  'cache_creation_input_tokens',
  'cache_read_input_tokens',
];

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export interface DecodedUsage {
  usage: Partial<Usage>;
  /** Unknown keys and keys that were null, for the passthrough notes; empty when none. */
  extra: JsonObject;
}

export function decodeUsage(raw: unknown): DecodedUsage {
  if (!isJsonObject(raw)) return { usage: {}, extra: {} };
  const usage: Partial<Usage> = {};
  const input = num(raw.input_tokens);
  const output = num(raw.output_tokens);
  const write = num(raw.cache_creation_input_tokens);
  const read = num(raw.cache_read_input_tokens);
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  if (write !== undefined) usage.cacheWriteTokens = write;
  if (read !== undefined) usage.cacheReadTokens = read;
  const extra = unknownFields(raw, USAGE_KEYS);
  for (const key of USAGE_KEYS) if (raw[key] === null) extra[key] = null;
  return { usage, extra };
}

/** Canonical usage → Anthropic's; `extra` (from the notes) is laid under the known fields. */
export function encodeUsage(usage: Partial<Usage>, extra: JsonObject = {}): AnthropicUsage & JsonObject {
  return {
    ...extra,
    input_tokens: usage.inputTokens ?? 0,
    ...(usage.cacheWriteTokens === undefined ? {} : { cache_creation_input_tokens: usage.cacheWriteTokens }),
    ...(usage.cacheReadTokens === undefined ? {} : { cache_read_input_tokens: usage.cacheReadTokens }),
    output_tokens: usage.outputTokens ?? 0,
  };
}
