import type { JsonObject, JsonValue } from '../canonical/index.ts';

// JSON Schema keywords Gemini's OpenAPI-style `Schema` rejects.
const UNSUPPORTED = new Set(['$schema', '$id', 'additionalProperties', 'strict']);

function clean(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(clean);
  if (typeof value !== 'object' || value === null) return value;
  const out: JsonObject = {};
  for (const [key, field] of Object.entries(value)) {
    if (!UNSUPPORTED.has(key)) out[key] = clean(field);
  }
  return out;
}

/**
 * A JSON Schema written for another provider, made acceptable to Gemini's `parameters` /
 * `responseSchema`. Undefined for an object schema without properties, which Gemini refuses
 * ("properties: should be non-empty for OBJECT type").
 */
export function toGeminiSchema(schema: JsonObject): JsonObject | undefined {
  const cleaned = clean(schema) as JsonObject;
  const props = cleaned['properties'];
  const emptyObject =
    cleaned['type'] === 'object' &&
    (props === undefined || (typeof props === 'object' && props !== null && Object.keys(props).length === 0));
  return emptyObject &&
    Object.keys(cleaned).every((k) => k === 'type' || k === 'properties' || k === 'required')
    ? undefined
    : cleaned;
}
