/**
 * The tool call the mock makes: which offered tool it calls (a forced one, or with
 * `toolCalls: auto` the first, for a new question), sample arguments from the tool's input
 * schema, and those arguments cut into the uneven pieces providers stream.
 */
import type { CanonicalRequest, JsonObject, JsonValue, Message } from '../wire/canonical/index.ts';
import type { ResolvedModel } from './fault-picker.ts';
import { hash32 } from './hash.ts';
import { generateTokens } from './text-generator.ts';

export type Tool = NonNullable<CanonicalRequest['tools']>[number];

/** The tool the model calls after `turns`: a forced one, or with `toolCalls: auto` the first offered. */
export function toolFor(
  request: CanonicalRequest,
  turns: readonly Message[],
  config: ResolvedModel,
): Tool | undefined {
  const tools = request.tools;
  if (!tools || tools.length === 0) return undefined;
  const choice = request.toolChoice;
  if (choice?.type === 'tool') return tools.find((t) => t.name === choice.name);
  if (choice?.type === 'any') return tools[0];
  if (choice?.type === 'none' || config.toolCalls !== 'auto') return undefined;
  // Asked freely, it calls a tool for a new question, and answers in text once a result is back.
  const last = turns[turns.length - 1];
  return last?.role === 'user' && !last.content.some((b) => b.type === 'tool_result') ? tools[0] : undefined;
}

function sampleValue(schema: JsonValue | undefined, key: string): JsonValue {
  const type =
    typeof schema === 'object' && schema !== null && !Array.isArray(schema) ? schema.type : undefined;
  switch (type) {
    case 'integer':
    case 'number':
      return 1 + (key.length % 9);
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return generateTokens(key, 2).text.replace(/\.$/, '');
  }
}

export function toolInput(schema: JsonObject, key: string): JsonObject {
  const props = schema.properties;
  const input: JsonObject = {};
  if (typeof props !== 'object' || props === null || Array.isArray(props)) return input;
  for (const [name, sub] of Object.entries(props)) input[name] = sampleValue(sub, `${key}\u0000${name}`);
  return input;
}

/**
 * A tool call's JSON arguments in the uneven pieces real providers stream (Anthropic's
 * `input_json_delta`, OpenAI's `arguments` fragments cut anywhere, `{"locat` then
 * `ion": "Paris"}`): 2 to 9 characters each, drawn from the key, after an empty first piece.
 */
export function argumentChunks(json: string, key: string): string[] {
  const out: string[] = [''];
  let i = 0;
  for (let n = 0; i < json.length; n++) {
    const size = 2 + (hash32(`${key}\u0000${n}`) % 8);
    out.push(json.slice(i, i + size));
    i += size;
  }
  return out;
}
