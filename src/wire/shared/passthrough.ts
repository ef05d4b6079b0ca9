/**
 * Passthrough for a codec's own format. `fields` holds the provider's unknown fields verbatim
 * (spread back by the client encoder of the same format); one reserved key (`META_KEY`, never
 * a provider field) holds the codec's notes on the exact wire form, so that
 * provider → canonical → provider is the identity.
 */
import type { JsonObject, JsonValue, Passthrough, WireFormat } from '../canonical/index.ts';
import { isPlainObject } from './is-plain-object.ts';

export const META_KEY = '$outlast';

export interface OwnPassthrough {
  /** Unknown fields, to spread back verbatim. */
  fields: JsonObject;
  /** The codec's own notes. */
  meta: JsonObject;
}

const EMPTY: OwnPassthrough = Object.freeze({ fields: {}, meta: {} }) as OwnPassthrough;

/** The fields and notes of a passthrough, only when it belongs to `format`. */
export function readOwnPassthrough(format: WireFormat, passthrough: Passthrough | undefined): OwnPassthrough {
  if (passthrough?.format !== format) return EMPTY;
  const { [META_KEY]: meta, ...fields } = passthrough.fields;
  return { fields, meta: isJsonObject(meta) ? meta : {} };
}

/** A passthrough of `format` from unknown fields and notes, or undefined when both are empty. */
export function makeOwnPassthrough(
  format: WireFormat,
  fields: JsonObject,
  meta: JsonObject = {},
): Passthrough | undefined {
  const hasMeta = Object.keys(meta).length > 0;
  if (Object.keys(fields).length === 0 && !hasMeta) return undefined;
  return { format, fields: hasMeta ? { ...fields, [META_KEY]: meta } : fields };
}

/** The keys of `raw` a codec does not know, verbatim. */
export function unknownFields(raw: Record<string, unknown>, known: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!known.includes(key) && value !== undefined) out[key] = value as JsonValue;
  }
  return out;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return isPlainObject(value);
}
