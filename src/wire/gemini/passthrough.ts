import type { JsonObject, JsonValue, Passthrough } from '../canonical/index.ts';

/** The fields a passthrough holds, when it came from Gemini; another format's are never spread here. */
export function ownFields(passthrough: Passthrough | undefined): JsonObject | undefined {
  return passthrough?.format === 'gemini' ? passthrough.fields : undefined;
}

/** `{ passthrough }` when there is anything to keep (or `always`, to mark a block as Gemini's own). */
export function keep(fields: JsonObject | undefined, always = false): { passthrough?: Passthrough } {
  if (!always && (!fields || Object.keys(fields).length === 0)) return {};
  return { passthrough: { format: 'gemini', fields: fields ?? {} } };
}

/** The keys of `value` that are not in `known`, as JSON (the value was parsed from JSON). */
export function unknownOf(value: object, known: readonly string[]): JsonObject | undefined {
  let out: JsonObject | undefined;
  for (const [key, field] of Object.entries(value)) {
    if (known.includes(key) || field === undefined) continue;
    out ??= {};
    out[key] = field as JsonValue;
  }
  return out;
}

/** Adds `fields` under `key` of `into` when there are any. */
export function nest(
  into: JsonObject | undefined,
  key: string,
  fields: JsonObject | undefined,
): JsonObject | undefined {
  if (!fields) return into;
  return { ...into, [key]: fields };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Spreads kept fields back onto what the encoder built: objects merge key by key, arrays
 * are appended (extra `tools` entries), and a kept scalar wins (it is the original value).
 */
export function mergeKept<T extends object>(target: T, fields: JsonObject | undefined): T {
  if (!fields) return target;
  const out = { ...target } as Record<string, unknown>;
  for (const [key, value] of Object.entries(fields)) {
    const current = out[key];
    if (isPlainObject(current) && isPlainObject(value))
      out[key] = mergeKept(current as object, value as JsonObject);
    else if (Array.isArray(current) && Array.isArray(value)) out[key] = [...current, ...value];
    else out[key] = value;
  }
  return out as T;
}
