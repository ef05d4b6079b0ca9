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
 * ("properties: should be non-empty for OBJECT type"), and a Gemini tool declared none.
 */
export function toGeminiSchema(schema: JsonObject, fromGemini = false): JsonObject | undefined {
  // A schema Gemini itself sent is left as it was, save the empty object it would not have had.
  const cleaned = fromGemini ? schema : (clean(schema) as JsonObject);
  const props = cleaned['properties'];
  const emptyObject =
    cleaned['type'] === 'object' &&
    (props === undefined || (typeof props === 'object' && props !== null && Object.keys(props).length === 0));
  return emptyObject &&
    Object.keys(cleaned).every((k) => k === 'type' || k === 'properties' || k === 'required')
    ? undefined
    : cleaned;
}

// Gemini's Schema.type enum; JSON Schema spells the same types in lower case.
const GEMINI_TYPES = new Set(['STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT', 'NULL']);

function lowerTypes(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(lowerTypes);
  if (typeof value !== 'object' || value === null) return value;
  const out: JsonObject = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] =
      key === 'type' && typeof field === 'string' && GEMINI_TYPES.has(field)
        ? field.toLowerCase()
        : lowerTypes(field);
  }
  return out;
}

/**
 * A Gemini schema (`"type": "OBJECT"`) as the JSON Schema the other formats expect. The caller
 * keeps the original in passthrough when this changed it, so Gemini gets its own spelling back.
 */
export function fromGeminiSchema(schema: JsonObject): JsonObject {
  return lowerTypes(schema) as JsonObject;
}
