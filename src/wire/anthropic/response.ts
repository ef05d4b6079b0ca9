/**
 * The non-stream Messages body both ways: `decodeAnthropicResponse` (client side) and
 * `encodeAnthropicResponse` (server side). Unknown top-level fields (`container`,
 * `stop_details`, …) ride in passthrough and come back only into an Anthropic answer.
 */
import { z } from 'zod';
import type { CanonicalResponse, ContentBlock, JsonObject } from '../canonical/index.ts';
import { type BlockContext, decodeBlock, encodeBlock } from './blocks.ts';
import { isJsonObject, makePassthrough, readPassthrough, unknownFields } from './passthrough.ts';
import { decodeStopReason, encodeStopReason, isUnknownStopReason } from './stop-reason.ts';
import { decodeUsage, encodeUsage } from './usage.ts';
import { invalidResponse, parseWith } from './validate.ts';

const RESPONSE_KEYS = ['id', 'type', 'role', 'model', 'content', 'stop_reason', 'stop_sequence', 'usage'];

/** Block types the Messages API may answer with that outlast has no canonical form for. */
export const SKIPPED_BLOCK_TYPES = [
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'mcp_tool_use',
  'mcp_tool_result',
  'container_upload',
] as const;

export type SkippedBlockType = (typeof SKIPPED_BLOCK_TYPES)[number];

const isSkippedBlockType = (type: unknown): type is SkippedBlockType =>
  typeof type === 'string' && (SKIPPED_BLOCK_TYPES as readonly string[]).includes(type);

const responseSchema = z.looseObject({
  id: z.string(),
  type: z.literal('message'),
  role: z.literal('assistant'),
  model: z.string(),
  content: z.array(z.record(z.string(), z.unknown())),
  stop_reason: z.string().nullable(),
  stop_sequence: z.string().nullable().optional(),
  usage: z.record(z.string(), z.unknown()),
});

export const RESPONSE_CONTEXT: BlockContext = {
  kind: 'invalid_response',
  fail: (path, reason) => invalidResponse(`${path}: ${reason}`),
};

/** An Anthropic Message body → canonical. Throws `invalid_response` when it is not one. */
export function decodeAnthropicResponse(body: unknown): CanonicalResponse {
  const raw = parseWith(responseSchema, body, {
    kind: 'invalid_response',
    what: 'anthropic-format upstream',
  });
  const meta: JsonObject = {};
  const content: ContentBlock[] = [];
  const skipped: JsonObject[] = [];
  raw.content.forEach((block, i) => {
    // Server-tool blocks (web search and the like) ran inside Anthropic: the text after them
    // is the answer. They have no canonical form; they are kept for an Anthropic client.
    if (isSkippedBlockType(block.type)) {
      skipped.push({ at: i, block: block as JsonObject });
      return;
    }
    content.push(decodeBlock(block, `content.${i}`, RESPONSE_CONTEXT));
  });
  if (skipped.length > 0) meta.skipped = skipped;
  const { usage, extra } = decodeUsage(raw.usage);
  if (Object.keys(extra).length > 0) meta.usage = extra;
  if (isUnknownStopReason(raw.stop_reason)) meta.stopReason = raw.stop_reason;
  if (raw.stop_reason === null) meta.stopReason = null;
  if (raw.stop_sequence === undefined) meta.noStopSequence = true;
  const response: CanonicalResponse = {
    id: raw.id,
    model: raw.model,
    content,
    stopReason: decodeStopReason(raw.stop_reason),
    stopSequence: raw.stop_sequence ?? null,
    usage: { inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0, ...usage },
  };
  const passthrough = makePassthrough(unknownFields(raw, RESPONSE_KEYS), meta);
  if (passthrough) response.passthrough = passthrough;
  return response;
}

function restoreSkipped(blocks: JsonObject[], skipped: unknown): JsonObject[] {
  if (!Array.isArray(skipped)) return blocks;
  const out = [...blocks];
  for (const entry of skipped) {
    if (isJsonObject(entry) && typeof entry.at === 'number' && isJsonObject(entry.block)) {
      out.splice(entry.at, 0, entry.block);
    }
  }
  return out;
}

/** Canonical → an Anthropic Message body, reported under `options.model`. */
export function encodeAnthropicResponse(response: CanonicalResponse, options: { model: string }): JsonObject {
  const { fields, meta } = readPassthrough(response.passthrough);
  const blocks = response.content.map((block, i) => encodeBlock(block, `content.${i}`, RESPONSE_CONTEXT));
  const body: JsonObject = {
    id: response.id,
    type: 'message',
    role: 'assistant',
    model: options.model,
    content: restoreSkipped(blocks, meta.skipped),
    stop_reason: meta.stopReason !== undefined ? meta.stopReason : encodeStopReason(response.stopReason),
  };
  if (meta.noStopSequence !== true) body.stop_sequence = response.stopSequence ?? null;
  body.usage = encodeUsage(response.usage, (meta.usage ?? {}) as JsonObject);
  return { ...body, ...fields };
}
