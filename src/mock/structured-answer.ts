/**
 * The mock's answer to a request for structured output (OpenAI `response_format`, Anthropic
 * `output_config.format`, Gemini `responseSchema`): a JSON document that fits the schema, as
 * the real APIs return it in the text, split into tokens so that faults counted in tokens
 * (a cut after N) land inside it. Deterministic from its key.
 */
import type { JsonObject, JsonValue, ResponseFormat } from '../wire/canonical/index.ts';
import { generateTokens } from './text-generator.ts';

const MAX_DEPTH = 6;

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function words(key: string, count: number): string {
  return generateTokens(key, count).text.replace(/\.$/, '');
}

/** A value that the schema accepts: the first enum or const, else one of its type, objects with every property. */
export function sampleFromSchema(schema: JsonValue | undefined, key: string, depth = 0): JsonValue {
  if (!isObject(schema)) return words(key, 2);
  if ('const' in schema) return schema.const ?? null;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0]!;
  for (const union of ['anyOf', 'oneOf'] as const) {
    const options = schema[union];
    if (Array.isArray(options)) {
      const first = options.find((o) => !(isObject(o) && o.type === 'null')) ?? options[0];
      return sampleFromSchema(first, key, depth);
    }
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const type = types.find((t) => t !== 'null') ?? types[0];
  switch (type) {
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : 1;
      return Math.ceil(min) + (key.length % 9);
    }
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      if (depth >= MAX_DEPTH) return [];
      const count = typeof schema.minItems === 'number' ? Math.max(schema.minItems, 1) : 2;
      return Array.from({ length: count }, (_, i) =>
        sampleFromSchema(schema.items, `${key}\u0000${i}`, depth + 1),
      );
    }
    case 'object': {
      const out: JsonObject = {};
      const props = schema.properties;
      if (depth >= MAX_DEPTH || !isObject(props)) return out;
      for (const [name, sub] of Object.entries(props))
        out[name] = sampleFromSchema(sub, `${key}\u0000${name}`, depth + 1);
      return out;
    }
    default:
      return words(key, 3);
  }
}

/** Punctuation, strings and bare words of the JSON text, each with the whitespace before it. */
const JSON_TOKEN = /\s*(?:"(?:[^"\\]|\\.)*"|[{}[\]:,]|[^\s{}[\]:,"]+)/g;

export function structuredTokens(format: ResponseFormat, key: string, prose: string): string[] | undefined {
  if (format.type === 'text') return undefined;
  const value = format.type === 'json_schema' ? sampleFromSchema(format.schema, key) : { answer: prose };
  return JSON.stringify(value).match(JSON_TOKEN) ?? [];
}
