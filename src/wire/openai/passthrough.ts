/**
 * Passthrough for the OpenAI format. `fields` holds the provider's unknown fields verbatim;
 * one reserved key (`META_KEY`, never an OpenAI field) holds what this codec must remember
 * to rebuild the exact wire form (which role a system prompt came in, string or part
 * content, which max-tokens field). The client encoder strips it before spreading.
 */
import type { JsonObject, JsonValue, Passthrough } from '../canonical/index.ts';

export const META_KEY = '$outlast';

export interface OpenaiPassthrough {
  /** Unknown fields, to spread back verbatim. */
  fields: JsonObject;
  /** This codec's own notes. */
  meta: JsonObject;
}

const EMPTY: OpenaiPassthrough = Object.freeze({ fields: {}, meta: {} }) as OpenaiPassthrough;

/** The fields and notes of a passthrough, only when it is ours. */
export function readPassthrough(passthrough: Passthrough | undefined): OpenaiPassthrough {
  if (passthrough?.format !== 'openai') return EMPTY;
  const { [META_KEY]: meta, ...fields } = passthrough.fields;
  return { fields, meta: isJsonObject(meta) ? meta : {} };
}

/** A passthrough from unknown fields and notes, or undefined when both are empty. */
export function makePassthrough(fields: JsonObject, meta: JsonObject = {}): Passthrough | undefined {
  const hasFields = Object.keys(fields).length > 0;
  const hasMeta = Object.keys(meta).length > 0;
  if (!hasFields && !hasMeta) return undefined;
  return { format: 'openai', fields: hasMeta ? { ...fields, [META_KEY]: meta } : fields };
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

/** Deep equality of JSON values (key order ignored), to decide whether a remembered raw form still holds. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bKeys = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return keys.length === bKeys.length && keys.every((k) => jsonEqual(ao[k], bo[k]));
}
