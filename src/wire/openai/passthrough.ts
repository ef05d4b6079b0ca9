/**
 * The shared passthrough helpers, bound to the OpenAI format (which role a system prompt came
 * in, string or part content, which max-tokens field).
 */
import type { JsonObject, Passthrough } from '../canonical/index.ts';
import { makeOwnPassthrough, type OwnPassthrough, readOwnPassthrough } from '../shared/passthrough.ts';

export { isJsonObject, META_KEY, unknownFields } from '../shared/passthrough.ts';

export type OpenaiPassthrough = OwnPassthrough;

export function readPassthrough(passthrough: Passthrough | undefined): OpenaiPassthrough {
  return readOwnPassthrough('openai', passthrough);
}

export function makePassthrough(fields: JsonObject, meta: JsonObject = {}): Passthrough | undefined {
  return makeOwnPassthrough('openai', fields, meta);
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
