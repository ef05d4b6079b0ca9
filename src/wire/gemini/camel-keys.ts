/**
 * Gemini's REST API is proto JSON: it accepts `system_instruction`, `inline_data`,
 * `mime_type`… as well as the camelCase names, and Google's own curl examples use snake_case.
 * The server side reads both by renaming structural keys, never the caller's data inside
 * function arguments, function responses, schemas or labels.
 */

// Values that are the caller's own JSON: their keys are data, not field names.
const OPAQUE = new Set([
  'args',
  'response',
  'parameters',
  'parametersJsonSchema',
  'responseSchema',
  'responseJsonSchema',
  'labels',
  'metadata',
]);

const camel = (key: string): string => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const name = camel(key);
    out[name] = OPAQUE.has(name) ? field : camelKeys(field);
  }
  return out;
}
