/**
 * Fields the official SDKs' types require on a Message even when they are null (`container`,
 * `stop_details`, usage's `server_tool_use`…, a tool_use block's `caller`). The gateway's
 * answers are assembled from stream parts, which do not carry them, so its Messages answers get
 * them as null (a tool call's caller as `direct`): a client typed on `Anthropic.Message` finds
 * every field it was promised. Values present are left alone.
 */
import type { JsonObject, JsonValue } from '../canonical/index.ts';
import { isJsonObject } from './passthrough.ts';

export const MESSAGE_FIELDS: Readonly<JsonObject> = {
  container: null,
  diagnostics: null,
  stop_details: null,
};
export const USAGE_FIELDS: Readonly<JsonObject> = {
  cache_creation: null,
  cache_creation_input_tokens: null,
  cache_read_input_tokens: null,
  inference_geo: null,
  output_tokens_details: null,
  server_tool_use: null,
  service_tier: null,
  speed: null,
};

/** What the SDK's `RawMessageDeltaEvent` requires: its delta's `container` and `stop_details`, its usage's counts. */
export const DELTA_FIELDS: Readonly<JsonObject> = { container: null, stop_details: null };
export const DELTA_USAGE_FIELDS: Readonly<JsonObject> = {
  cache_creation_input_tokens: null,
  cache_read_input_tokens: null,
  input_tokens: null,
  output_tokens_details: null,
  server_tool_use: null,
};

function withDefaults(value: JsonObject, defaults: Readonly<JsonObject>): JsonObject {
  const out: JsonObject = { ...value };
  for (const [key, fallback] of Object.entries(defaults)) if (!(key in out)) out[key] = fallback;
  return out;
}

function completeBlock(block: JsonValue): JsonValue {
  if (!isJsonObject(block)) return block;
  // A text block's `citations` stays absent, not null: the AI SDK's Anthropic provider refuses a
  // null there (the API leaves it out when there are none), whatever the SDK's type says.
  if (block.type === 'tool_use') return withDefaults(block, { caller: { type: 'direct' } });
  return block;
}

/** A Message with every field the SDK's `Message` type requires. */
export function withSdkFields(message: JsonObject): JsonObject {
  const out = withDefaults(message, MESSAGE_FIELDS);
  if (isJsonObject(out.usage)) out.usage = withDefaults(out.usage, USAGE_FIELDS);
  if (Array.isArray(out.content)) out.content = out.content.map(completeBlock);
  return out;
}
