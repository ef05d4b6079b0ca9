/**
 * The Messages API objects the Anthropic server side of this codec writes, typed as the
 * official SDK types them (only the fields outlast produces; same-format answers may carry
 * more, passed through). The library hands these to its callers as they are.
 */
import { z } from 'zod';
import type { JsonObject, JsonValue } from '../canonical/index.ts';
import { parseWith } from '../shared/validate.ts';
import { SKIPPED_BLOCK_TYPES, type SkippedBlockType } from './response.ts';

export type AnthropicContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: JsonObject }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  /** A server tool's block (web search and the like) from an Anthropic upstream, as it came. */
  | { type: SkippedBlockType; [field: string]: JsonValue };

export type AnthropicUsage = {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
};

export type AnthropicMessage = {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: string | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
};

export type AnthropicContentDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string };

export type AnthropicStreamEvent =
  | { type: 'message_start'; message: AnthropicMessage }
  | { type: 'content_block_start'; index: number; content_block: AnthropicContentBlock }
  | { type: 'content_block_delta'; index: number; delta: AnthropicContentDelta }
  | { type: 'content_block_stop'; index: number }
  | {
      type: 'message_delta';
      delta: { stop_reason: string | null; stop_sequence: string | null };
      usage: Partial<AnthropicUsage> & { output_tokens: number };
    }
  | { type: 'message_stop' };

const json = z.custom<JsonValue>(() => true);
const jsonObject = z.record(z.string(), json);

const contentBlock = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text'), text: z.string() }),
  z.looseObject({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: jsonObject }),
  z.looseObject({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() }),
  z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() }),
  z.object({ type: z.enum(SKIPPED_BLOCK_TYPES) }).catchall(json),
]);

const tokens = z.number().nullable().optional();

/** What the codec writes, checked to be the Message the type promises (tsc checks the schema against the type). */
const messageSchema: z.ZodType<AnthropicMessage> = z.looseObject({
  id: z.string(),
  type: z.literal('message'),
  role: z.literal('assistant'),
  model: z.string(),
  content: z.array(contentBlock),
  stop_reason: z.string().nullable(),
  // The type promises it, as the API always sends it; an upstream that left it out gets null.
  stop_sequence: z.string().nullable().default(null),
  usage: z.looseObject({
    input_tokens: z.number(),
    output_tokens: z.number(),
    cache_creation_input_tokens: tokens,
    cache_read_input_tokens: tokens,
  }),
});

/**
 * A Message body the Anthropic codec wrote, as the SDK-shaped type, validated rather than cast:
 * a same-format answer carries the upstream's fields, and one that is not a Message fails here
 * (invalid_response, naming the field) instead of reaching the caller mistyped.
 */
export function toAnthropicMessage(body: unknown): AnthropicMessage {
  return parseWith(messageSchema, body, { kind: 'invalid_response', what: 'anthropic message answer' });
}
