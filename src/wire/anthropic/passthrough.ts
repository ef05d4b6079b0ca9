/**
 * Passthrough for the Anthropic format. `fields` holds unknown fields verbatim (they are
 * spread back by the client encoder); one reserved key (`META_KEY`, never an Anthropic
 * field) holds this codec's notes on the exact wire form (string or block content, a null
 * usage field), so that Anthropic → canonical → Anthropic is the identity.
 */
import type { JsonObject, JsonValue, Passthrough } from '../canonical/index.ts';

export const META_KEY = '$outlast';

export interface AnthropicPassthrough {
  fields: JsonObject;
  meta: JsonObject;
}

const EMPTY: AnthropicPassthrough = Object.freeze({ fields: {}, meta: {} }) as AnthropicPassthrough;

/** The fields and notes of a passthrough, only when it is ours. */
export function readPassthrough(passthrough: Passthrough | undefined): AnthropicPassthrough {
  if (passthrough?.format !== 'anthropic') return EMPTY;
  const { [META_KEY]: meta, ...fields } = passthrough.fields;
  return { fields, meta: isJsonObject(meta) ? meta : {} };
}

/** A passthrough from unknown fields and notes, or undefined when both are empty. */
export function makePassthrough(fields: JsonObject, meta: JsonObject = {}): Passthrough | undefined {
  const hasMeta = Object.keys(meta).length > 0;
  if (Object.keys(fields).length === 0 && !hasMeta) return undefined;
  return { format: 'anthropic', fields: hasMeta ? { ...fields, [META_KEY]: meta } : fields };
}

/** Sets `target.passthrough` only when there is something to keep. */
export function attachPassthrough<T extends { passthrough?: Passthrough }>(
  target: T,
  fields: JsonObject,
  meta: JsonObject = {},
): T {
  const passthrough = makePassthrough(fields, meta);
  if (passthrough) target.passthrough = passthrough;
  return target;
}

/** The keys of `raw` this codec does not know, verbatim. */
export function unknownFields(raw: Record<string, unknown>, known: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!known.includes(key) && value !== undefined) out[key] = value as JsonValue;
  }
  return out;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
