/**
 * Server side: an Anthropic Messages request → canonical. Validated with zod; an invalid
 * body is a `bad_request` whose message starts with the field path. Unknown fields are kept
 * in passthrough (request, message, block, tool) so that encoding back to Anthropic loses nothing.
 */
import { OutlastError } from '../../errors/index.ts';
import type {
  CanonicalRequest,
  JsonObject,
  Message,
  TextBlock,
  ThinkingConfig,
  ToolChoice,
  ToolDefinition,
} from '../canonical/index.ts';
import { type BlockContext, decodeBlock } from './blocks.ts';
import { attachPassthrough, isJsonObject, makePassthrough, unknownFields } from './passthrough.ts';
import {
  messageSchema,
  outputConfigSchema,
  type RawRequest,
  requestSchema,
  textBlockSchema,
  thinkingSchema,
  toolChoiceSchema,
  toolSchema,
} from './request-schema.ts';
import { badRequest, parseWith } from './validate.ts';

const REQUEST_KEYS = [
  'model',
  'max_tokens',
  'messages',
  'system',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'stream',
  'tools',
  'tool_choice',
  'thinking',
  'metadata',
  'output_config',
] as const;

const REQUEST_CONTEXT: BlockContext = { kind: 'bad_request', fail: badRequest };

type Raw = Record<string, unknown>;

function parse<T>(schema: Parameters<typeof parseWith>[0], value: unknown, path: string): T {
  return parseWith(schema, value, { path, kind: 'bad_request' }) as T;
}

function parseMessage(raw: unknown, path: string): Message {
  const msg = parse<Raw & { role: 'user' | 'assistant'; content: string | Raw[] }>(messageSchema, raw, path);
  const meta: JsonObject = {};
  let message: Message;
  if (typeof msg.content === 'string') {
    message = { role: msg.role, content: [{ type: 'text', text: msg.content }] };
    meta.content = 'string';
  } else {
    const content = msg.content.map((block, j) =>
      decodeBlock(block, `${path}.content.${j}`, REQUEST_CONTEXT),
    );
    message = { role: msg.role, content };
  }
  return attachPassthrough(message, unknownFields(msg, ['role', 'content']), meta);
}

function parseSystem(system: string | Raw[]): { blocks: TextBlock[]; asString: boolean } {
  if (typeof system === 'string') return { blocks: [{ type: 'text', text: system }], asString: true };
  const blocks = system.map((raw, i) => {
    const part = parse<Raw & { text: string }>(textBlockSchema, raw, `system.${i}`);
    return attachPassthrough<TextBlock>(
      { type: 'text', text: part.text },
      unknownFields(part, ['type', 'text']),
    );
  });
  return { blocks, asString: false };
}

function parseTool(raw: unknown, path: string): ToolDefinition {
  if (
    isJsonObject(raw) &&
    raw.input_schema === undefined &&
    typeof raw.type === 'string' &&
    raw.type !== 'custom'
  ) {
    // Server tools (web search, code execution, …) run inside Anthropic: kept as they came, for
    // an Anthropic target only.
    return {
      name: typeof raw.name === 'string' ? raw.name : raw.type,
      inputSchema: {},
      hosted: { format: 'anthropic', definition: raw },
    };
  }
  const tool = parse<Raw & { name: string; description?: string; input_schema: JsonObject }>(
    toolSchema,
    raw,
    path,
  );
  const def: ToolDefinition = { name: tool.name, inputSchema: tool.input_schema };
  if (tool.description !== undefined) def.description = tool.description;
  return attachPassthrough(def, unknownFields(tool, ['name', 'description', 'input_schema']));
}

function parseToolChoice(raw: unknown, request: CanonicalRequest, meta: JsonObject): void {
  const choice = parse<Raw & { type: string; name?: string; disable_parallel_tool_use?: boolean }>(
    toolChoiceSchema,
    raw,
    'tool_choice',
  );
  const toolChoice: ToolChoice =
    choice.type === 'tool'
      ? { type: 'tool', name: choice.name as string }
      : ({ type: choice.type } as ToolChoice);
  request.toolChoice = toolChoice;
  if (choice.disable_parallel_tool_use !== undefined)
    request.parallelToolCalls = !choice.disable_parallel_tool_use;
  const extra = unknownFields(choice, ['type', 'name', 'disable_parallel_tool_use']);
  if (Object.keys(extra).length > 0) meta.toolChoice = extra;
}

function parseThinking(raw: unknown, meta: JsonObject): ThinkingConfig {
  const thinking = parse<Raw & { type: 'enabled' | 'disabled' | 'adaptive'; budget_tokens?: number }>(
    thinkingSchema,
    raw,
    'thinking',
  );
  const extra = unknownFields(thinking, ['type', 'budget_tokens']);
  if (Object.keys(extra).length > 0) meta.thinking = extra;
  return thinking.type === 'enabled'
    ? { type: 'enabled', budgetTokens: thinking.budget_tokens as number }
    : { type: thinking.type };
}

function parseOutputConfig(raw: unknown, request: CanonicalRequest, meta: JsonObject): void {
  const config = parse<Raw & { format?: ({ schema: JsonObject } & Raw) | null }>(
    outputConfigSchema,
    raw,
    'output_config',
  );
  const extra = unknownFields(config, ['format']);
  if (config.format) {
    // Anthropic's structured output has no name; canonical needs one (OpenAI requires it).
    request.responseFormat = {
      type: 'json_schema',
      name: 'output',
      schema: config.format.schema,
      strict: true,
    };
    const formatExtra = unknownFields(config.format, ['type', 'schema']);
    if (Object.keys(formatExtra).length > 0) meta.outputFormat = formatExtra;
  } else if (config.format === null) {
    extra.format = null;
  }
  if (Object.keys(extra).length > 0) meta.outputConfig = extra;
}

/** An Anthropic Messages request body → canonical. Throws `bad_request` naming the field. */
export function parseAnthropicRequest(body: unknown): CanonicalRequest {
  if (!isJsonObject(body)) {
    throw new OutlastError({ kind: 'bad_request', message: 'request body: expected a JSON object' });
  }
  const raw = parse<RawRequest>(requestSchema, body, '');
  const meta: JsonObject = {};
  const request: CanonicalRequest = {
    model: raw.model,
    maxTokens: raw.max_tokens,
    messages: raw.messages.map((m, i) => parseMessage(m, `messages.${i}`)),
  };
  if (raw.system !== undefined) {
    const { blocks, asString } = parseSystem(raw.system as string | Raw[]);
    request.system = blocks;
    if (asString) meta.system = 'string';
  }
  if (raw.temperature !== undefined) request.temperature = raw.temperature;
  if (raw.top_p !== undefined) request.topP = raw.top_p;
  if (raw.top_k !== undefined) request.topK = raw.top_k;
  if (raw.stop_sequences !== undefined) request.stopSequences = raw.stop_sequences;
  if (raw.stream !== undefined) request.stream = raw.stream;
  if (raw.tools !== undefined) request.tools = raw.tools.map((t, i) => parseTool(t, `tools.${i}`));
  if (raw.tool_choice !== undefined) parseToolChoice(raw.tool_choice, request, meta);
  if (raw.thinking !== undefined) request.thinking = parseThinking(raw.thinking, meta);
  if (raw.metadata !== undefined) {
    const { user_id: userId, ...rest } = raw.metadata;
    if (typeof userId === 'string') request.user = userId;
    const extra = unknownFields(rest, []);
    if (userId === null) extra.user_id = null;
    // An empty or user-less metadata object is remembered so it comes back as written.
    meta.metadata = extra;
  }
  if (raw.output_config !== undefined) parseOutputConfig(raw.output_config, request, meta);
  const passthrough = makePassthrough(unknownFields(raw, REQUEST_KEYS), meta);
  if (passthrough) request.passthrough = passthrough;
  return request;
}
