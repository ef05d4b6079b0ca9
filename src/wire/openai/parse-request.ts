/**
 * Server side: a Chat Completions request → canonical. Validated with zod; an invalid body
 * is a `bad_request` whose message starts with the field path. Unknown fields are kept in
 * passthrough so that encoding back to OpenAI loses nothing.
 */
import type {
  CanonicalRequest,
  ContentBlock,
  ImageBlock,
  JsonObject,
  Message,
  ResponseFormat,
  TextBlock,
  ToolChoice,
  ToolDefinition,
  ToolResultBlock,
  ToolUseBlock,
} from '../canonical/index.ts';
import { isJsonObject, makePassthrough, unknownFields } from './passthrough.ts';
import {
  assistantMessageSchema,
  functionToolSchema,
  imageUrlPartSchema,
  type RawRequest,
  refusalPartSchema,
  requestSchema,
  responseFormatSchema,
  systemMessageSchema,
  textPartSchema,
  toolChoiceSchema,
  toolMessageSchema,
  userMessageSchema,
} from './request-schema.ts';
import { badRequest, parseWith } from './validate.ts';

const REQUEST_KEYS = [
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'stream',
  'stream_options',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'user',
] as const;

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

function parse<T>(schema: Parameters<typeof parseWith>[0], value: unknown, path: string): T {
  return parseWith(schema, value, { path, kind: 'bad_request' }) as T;
}

function textBlock(part: Record<string, unknown>, meta: JsonObject = {}): TextBlock {
  const block: TextBlock = { type: 'text', text: part.text as string };
  const passthrough = makePassthrough(unknownFields(part, ['type', 'text']), meta);
  if (passthrough) block.passthrough = passthrough;
  return block;
}

function imageBlock(raw: unknown, path: string): ImageBlock {
  const part = parse<{ image_url: { url: string } & Record<string, unknown> } & Record<string, unknown>>(
    imageUrlPartSchema,
    raw,
    path,
  );
  const url = part.image_url.url;
  const match = DATA_URL.exec(url);
  const block: ImageBlock = {
    type: 'image',
    source: match ? { type: 'base64', mediaType: match[1]!, data: match[2]! } : { type: 'url', url },
  };
  const imageExtra = unknownFields(part.image_url, ['url']);
  const passthrough = makePassthrough(
    unknownFields(part, ['type', 'image_url']),
    Object.keys(imageExtra).length > 0 ? { imageUrl: imageExtra } : {},
  );
  if (passthrough) block.passthrough = passthrough;
  return block;
}

function userContent(content: string | Record<string, unknown>[], path: string): ContentBlock[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part, j) => {
    const partPath = `${path}.${j}`;
    if (part.type === 'text') return textBlock(parse(textPartSchema, part, partPath));
    if (part.type === 'image_url') return imageBlock(part, partPath);
    throw badRequest(`${partPath}.type`, `content part "${String(part.type)}" is not supported by outlast`);
  });
}

function toolUse(call: Record<string, unknown>, path: string): ToolUseBlock {
  const fn = call.function as { name: string; arguments: string } & Record<string, unknown>;
  let input: unknown;
  try {
    input = fn.arguments.trim() === '' ? {} : JSON.parse(fn.arguments);
  } catch {
    throw badRequest(`${path}.function.arguments`, 'is not valid JSON');
  }
  if (!isJsonObject(input)) throw badRequest(`${path}.function.arguments`, 'is not a JSON object');
  const block: ToolUseBlock = { type: 'tool_use', id: call.id as string, name: fn.name, input };
  const fnExtra = unknownFields(fn, ['name', 'arguments']);
  const meta: JsonObject = { arguments: fn.arguments };
  if (Object.keys(fnExtra).length > 0) meta.function = fnExtra;
  block.passthrough = makePassthrough(unknownFields(call, ['id', 'type', 'function']), meta);
  return block;
}

function assistantMessage(raw: Record<string, unknown>, path: string): Message {
  const msg = parse<Record<string, unknown>>(assistantMessageSchema, raw, path);
  const content: ContentBlock[] = [];
  const meta: JsonObject = {};
  const fields = unknownFields(msg, ['role', 'content', 'tool_calls']);
  const raw_content = msg.content as string | Record<string, unknown>[] | null | undefined;
  if (typeof raw_content === 'string') content.push({ type: 'text', text: raw_content });
  else if (Array.isArray(raw_content)) {
    meta.content = 'parts';
    raw_content.forEach((part, j) => {
      const partPath = `${path}.content.${j}`;
      if (part.type === 'text') content.push(textBlock(parse(textPartSchema, part, partPath)));
      else if (part.type === 'refusal') {
        const refusal = parse<Record<string, unknown>>(refusalPartSchema, part, partPath);
        content.push(textBlock({ ...refusal, text: refusal.refusal, refusal: undefined }, { refusal: true }));
      } else throw badRequest(`${partPath}.type`, `expected "text" or "refusal", got "${String(part.type)}"`);
    });
  } else if (raw_content === null) meta.content = 'null';
  else meta.content = 'absent';
  const calls = msg.tool_calls as Record<string, unknown>[] | null | undefined;
  if (calls && calls.length > 0) {
    calls.forEach((c, k) => {
      content.push(toolUse(c, `${path}.tool_calls.${k}`));
    });
  } else if (calls !== undefined) fields.tool_calls = calls as [] | null;
  // Without tool calls, `content: null` is not the default form: remember it.
  if (meta.content === 'null' && calls && calls.length > 0) delete meta.content;
  const message: Message = { role: 'assistant', content };
  const passthrough = makePassthrough(fields, meta);
  if (passthrough) message.passthrough = passthrough;
  return message;
}

function toolResult(raw: Record<string, unknown>, path: string): ToolResultBlock {
  const msg = parse<
    { tool_call_id: string; content: string | Record<string, unknown>[] } & Record<string, unknown>
  >(toolMessageSchema, raw, path);
  const block: ToolResultBlock = {
    type: 'tool_result',
    toolUseId: msg.tool_call_id,
    content:
      typeof msg.content === 'string'
        ? [{ type: 'text', text: msg.content }]
        : msg.content.map((p) => textBlock(p)),
  };
  const passthrough = makePassthrough(
    unknownFields(msg, ['role', 'tool_call_id', 'content']),
    Array.isArray(msg.content) ? { content: 'parts' } : {},
  );
  if (passthrough) block.passthrough = passthrough;
  return block;
}

/** System and developer messages become canonical system blocks; the first block of each remembers its message. */
function systemBlocks(raw: Record<string, unknown>, path: string, at: number | undefined): TextBlock[] {
  const msg = parse<{ role: string; content: string | Record<string, unknown>[] } & Record<string, unknown>>(
    systemMessageSchema,
    raw,
    path,
  );
  const group: JsonObject = { role: msg.role };
  if (at !== undefined) group.at = at;
  const extra = unknownFields(msg, ['role', 'content']);
  if (Object.keys(extra).length > 0) group.fields = extra;
  if (typeof msg.content === 'string') {
    return [{ type: 'text', text: msg.content, passthrough: makePassthrough({}, { message: group }) }];
  }
  group.parts = true;
  if (msg.content.length === 0)
    return [{ type: 'text', text: '', passthrough: makePassthrough({}, { message: group, empty: true }) }];
  return msg.content.map((part, j) => textBlock(part, j === 0 ? { message: group } : {}));
}

function toolDefinition(raw: unknown, path: string): ToolDefinition {
  const tool = parse<{ function: Record<string, unknown> } & Record<string, unknown>>(
    functionToolSchema,
    raw,
    path,
  );
  const fn = tool.function;
  const def: ToolDefinition = {
    name: fn.name as string,
    inputSchema: (fn.parameters as JsonObject | undefined) ?? { type: 'object', properties: {} },
  };
  if (fn.description !== undefined) def.description = fn.description as string;
  const meta: JsonObject = {};
  const toolExtra = unknownFields(tool, ['type', 'function']);
  if (Object.keys(toolExtra).length > 0) meta.tool = toolExtra;
  if (fn.parameters === undefined) meta.noParameters = true;
  const passthrough = makePassthrough(unknownFields(fn, ['name', 'description', 'parameters']), meta);
  if (passthrough) def.passthrough = passthrough;
  return def;
}

function toolChoice(raw: unknown): ToolChoice {
  const choice = parse<string | { function: { name: string } }>(toolChoiceSchema, raw, 'tool_choice');
  if (choice === 'none') return { type: 'none' };
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'required') return { type: 'any' };
  if (typeof choice === 'string') throw badRequest('tool_choice', `unknown value "${choice}"`);
  return { type: 'tool', name: choice.function.name };
}

function responseFormat(raw: unknown, meta: JsonObject): ResponseFormat {
  const format = parse<Record<string, unknown>>(responseFormatSchema, raw, 'response_format');
  const extra = unknownFields(format, ['type', 'json_schema']);
  if (Object.keys(extra).length > 0) meta.responseFormat = extra;
  if (format.type !== 'json_schema') return { type: format.type as 'text' | 'json_object' };
  const js = format.json_schema as Record<string, unknown>;
  const out: ResponseFormat = {
    type: 'json_schema',
    name: js.name as string,
    schema: (js.schema as JsonObject) ?? {},
  };
  if (typeof js.strict === 'boolean') out.strict = js.strict;
  const jsExtra = unknownFields(js, ['name', 'schema', 'strict']);
  if (js.strict === null) jsExtra.strict = null;
  if (js.schema === undefined) meta.noSchema = true;
  if (Object.keys(jsExtra).length > 0) meta.jsonSchema = jsExtra;
  return out;
}

function messages(raw: RawRequest, request: CanonicalRequest): void {
  const out: Message[] = [];
  const system: TextBlock[] = [];
  raw.messages.forEach((m, i) => {
    const path = `messages.${i}`;
    const role = m.role;
    if (role === 'system' || role === 'developer') {
      system.push(...systemBlocks(m, path, out.length === 0 ? undefined : out.length));
    } else if (role === 'user') {
      const msg = parse<{ content: string | Record<string, unknown>[] } & Record<string, unknown>>(
        userMessageSchema,
        m,
        path,
      );
      const message: Message = { role: 'user', content: userContent(msg.content, `${path}.content`) };
      const passthrough = makePassthrough(
        unknownFields(msg, ['role', 'content']),
        Array.isArray(msg.content) ? { content: 'parts' } : {},
      );
      if (passthrough) message.passthrough = passthrough;
      out.push(message);
    } else if (role === 'assistant') {
      out.push(assistantMessage(m, path));
    } else {
      const block = toolResult(m, path);
      const last = out.at(-1);
      // Consecutive tool messages answer one assistant turn: one user turn with several results.
      if (
        last?.role === 'user' &&
        last.content.length > 0 &&
        last.content.every((b) => b.type === 'tool_result')
      ) {
        last.content.push(block);
      } else out.push({ role: 'user', content: [block] });
    }
  });
  request.messages = out;
  if (system.length > 0) request.system = system;
}

/** The parts of a request only an OpenAI-format target can answer, relayed as they came. */
function relayedOnly(body: JsonObject): Array<{ path: string; what: string }> {
  const needs: Array<{ path: string; what: string }> = [];
  if (typeof body.n === 'number' && body.n > 1) needs.push({ path: 'n', what: `${body.n} choices (n > 1)` });
  const modalities = Array.isArray(body.modalities) ? body.modalities : [];
  if (modalities.includes('audio')) needs.push({ path: 'modalities', what: 'audio output' });
  else if (isJsonObject(body.audio)) needs.push({ path: 'audio', what: 'audio output' });
  return needs;
}

export function parseOpenaiRequest(body: unknown): CanonicalRequest {
  if (!isJsonObject(body)) throw badRequest('body', 'expected a JSON object');
  const raw = parse<RawRequest>(requestSchema, body, '');
  const fields = unknownFields(raw, REQUEST_KEYS);
  // A known field sent as null means "unset": keep it verbatim, read nothing from it.
  for (const key of REQUEST_KEYS) if (raw[key] === null) fields[key] = null;
  const meta: JsonObject = {};
  const request: CanonicalRequest = { model: raw.model, messages: [] };
  messages(raw, request);
  // What the canonical model cannot carry back: such a call is relayed as it came to an
  // OpenAI-format target, and only there.
  const needs = relayedOnly(body);
  if (needs.length > 0) request.origin = { dialect: 'openai-chat', body, needs };

  if (typeof raw.max_completion_tokens === 'number') {
    request.maxTokens = raw.max_completion_tokens;
    if (typeof raw.max_tokens === 'number') fields.max_tokens = raw.max_tokens;
  } else if (typeof raw.max_tokens === 'number') {
    request.maxTokens = raw.max_tokens;
    meta.maxTokensField = 'max_tokens';
  }
  if (typeof raw.temperature === 'number') request.temperature = raw.temperature;
  if (typeof raw.top_p === 'number') request.topP = raw.top_p;
  if (typeof raw.stop === 'string') {
    request.stopSequences = [raw.stop];
    meta.stop = 'string';
  } else if (Array.isArray(raw.stop)) request.stopSequences = raw.stop;
  if (typeof raw.stream === 'boolean') request.stream = raw.stream;
  if (raw.stream_options) {
    const { include_usage, ...rest } = raw.stream_options;
    if (typeof include_usage === 'boolean') request.includeUsage = include_usage;
    if (Object.keys(rest).length > 0) meta.streamOptions = rest as JsonObject;
  }
  if (raw.tools) request.tools = raw.tools.map((t, i) => toolDefinition(t, `tools.${i}`));
  if (raw.tool_choice !== undefined && raw.tool_choice !== null)
    request.toolChoice = toolChoice(raw.tool_choice);
  if (typeof raw.parallel_tool_calls === 'boolean') request.parallelToolCalls = raw.parallel_tool_calls;
  if (raw.response_format !== undefined && raw.response_format !== null) {
    request.responseFormat = responseFormat(raw.response_format, meta);
  }
  if (typeof raw.user === 'string') request.user = raw.user;
  const passthrough = makePassthrough(fields, meta);
  if (passthrough) request.passthrough = passthrough;
  return request;
}
