/**
 * Client side: canonical → a Chat Completions request. What OpenAI cannot carry is a
 * `bad_request` naming the canonical field. Passthrough from an OpenAI request is spread
 * back verbatim, so OpenAI → canonical → OpenAI is identity.
 */
import type {
  CanonicalRequest,
  ImageBlock,
  JsonObject,
  JsonValue,
  Message,
  ResponseFormat,
  TextBlock,
  ToolChoice,
  ToolDefinition,
  ToolResultBlock,
  ToolUseBlock,
} from '../canonical/index.ts';
import type { UpstreamRequestSpec } from '../codec.ts';
import { hostedElsewhere } from '../shared/validate.ts';
import { isJsonObject, jsonEqual, readPassthrough } from './passthrough.ts';
import { badRequest } from './validate.ts';

type Json = JsonObject;

function textPart(block: TextBlock): Json {
  const { fields, meta } = readPassthrough(block.passthrough);
  if (meta.refusal === true) return { ...fields, type: 'refusal', refusal: block.text };
  return { ...fields, type: 'text', text: block.text };
}

function imagePart(block: ImageBlock): Json {
  const { fields, meta } = readPassthrough(block.passthrough);
  const url =
    block.source.type === 'base64'
      ? `data:${block.source.mediaType};base64,${block.source.data}`
      : block.source.url;
  const extra = isJsonObject(meta.imageUrl) ? meta.imageUrl : {};
  return { ...fields, type: 'image_url', image_url: { ...extra, url } };
}

/** Tool arguments as the caller sent them when they still say the same thing, else our JSON. */
export function toolArguments(block: ToolUseBlock): string {
  const { meta } = readPassthrough(block.passthrough);
  if (typeof meta.arguments === 'string') {
    try {
      const raw = meta.arguments.trim() === '' ? {} : JSON.parse(meta.arguments);
      if (jsonEqual(raw, block.input)) return meta.arguments;
    } catch {
      // Fall through to our own serialisation.
    }
  }
  return JSON.stringify(block.input);
}

export function toolCall(block: ToolUseBlock): Json {
  const { fields, meta } = readPassthrough(block.passthrough);
  const fnExtra = isJsonObject(meta.function) ? meta.function : {};
  return {
    ...fields,
    id: block.id,
    type: 'function',
    function: { ...fnExtra, name: block.name, arguments: toolArguments(block) },
  };
}

function toolMessage(block: ToolResultBlock, path: string): Json {
  const { fields, meta } = readPassthrough(block.passthrough);
  block.content.forEach((b, k) => {
    if (b.type !== 'text')
      throw badRequest(`${path}.content.${k}`, 'OpenAI tool messages carry text only, not images');
  });
  const texts = block.content as TextBlock[];
  // OpenAI has no error flag on a tool result: say it in the text rather than lose it.
  const prefix = block.isError ? 'Error: ' : '';
  let content: JsonValue;
  if (meta.content === 'parts') {
    content = texts.map((t, k) =>
      k === 0 && prefix ? { ...textPart(t), text: prefix + t.text } : textPart(t),
    );
  } else content = prefix + texts.map((t) => t.text).join('\n\n');
  return { role: 'tool', tool_call_id: block.toolUseId, ...fields, content };
}

function userMessages(message: Message, path: string): Json[] {
  const out: Json[] = [];
  const rest: Array<TextBlock | ImageBlock> = [];
  message.content.forEach((block, j) => {
    const blockPath = `${path}.content.${j}`;
    if (block.type === 'tool_result') out.push(toolMessage(block, blockPath));
    else if (block.type === 'text' || block.type === 'image') rest.push(block);
    else
      throw badRequest(
        blockPath,
        `a ${block.type === 'raw' ? `"${String(block.block.type)}"` : block.type} block in a user turn has no OpenAI form`,
      );
  });
  const { fields, meta } = readPassthrough(message.passthrough);
  // Tool messages must follow the assistant's calls directly; the user's own words come after.
  if (rest.length > 0 || out.length === 0) {
    const single =
      rest.length === 1 && rest[0]?.type === 'text' && meta.content !== 'parts' ? rest[0] : undefined;
    const content: JsonValue =
      single !== undefined
        ? single.text
        : rest.length === 0 && meta.content !== 'parts'
          ? ''
          : rest.map((b) => (b.type === 'text' ? textPart(b) : imagePart(b)));
    out.push({ role: 'user', ...fields, content });
  }
  return out;
}

function assistantMessage(message: Message, path: string): Json {
  const texts: TextBlock[] = [];
  const calls: Json[] = [];
  message.content.forEach((block, j) => {
    if (block.type === 'text') texts.push(block);
    else if (block.type === 'tool_use') calls.push(toolCall(block));
    else if (block.type === 'thinking' || block.type === 'redacted_thinking') {
      // The model's own earlier reasoning: OpenAI has no way to send it back and does not
      // need it (reasoning models keep their own), so it is dropped, not refused.
    } else
      throw badRequest(
        `${path}.content.${j}`,
        `a ${block.type} block in an assistant turn has no OpenAI form`,
      );
  });
  const { fields, meta } = readPassthrough(message.passthrough);
  const out: Json = { role: 'assistant', ...fields };
  if (meta.content === 'parts') out.content = texts.map(textPart);
  else if (texts.length > 0 && texts.every((t) => readPassthrough(t.passthrough).meta.refusal !== true)) {
    out.content = texts.map((t) => t.text).join('');
  } else if (texts.length > 0) out.content = texts.map(textPart);
  else if (meta.content !== 'absent') out.content = null;
  if (calls.length > 0) out.tool_calls = calls;
  return out;
}

interface SystemGroup {
  at: number | undefined;
  message: Json;
}

/** Canonical system blocks → system/developer messages, each with the position it came at. */
function systemMessages(system: TextBlock[]): SystemGroup[] {
  const groups: Array<{ info: Json; blocks: TextBlock[] }> = [];
  for (const block of system) {
    const { meta } = readPassthrough(block.passthrough);
    const current = groups.at(-1);
    if (isJsonObject(meta.message) || !current) {
      groups.push({ info: isJsonObject(meta.message) ? meta.message : {}, blocks: [block] });
    } else current.blocks.push(block);
  }
  return groups.map(({ info, blocks }) => {
    const role = info.role === 'developer' ? 'developer' : 'system';
    const fields = isJsonObject(info.fields) ? info.fields : {};
    const empty = blocks.length === 1 && readPassthrough(blocks[0]!.passthrough).meta.empty === true;
    const content: JsonValue =
      info.parts === true ? (empty ? [] : blocks.map(textPart)) : blocks.map((b) => b.text).join('\n\n');
    return { at: typeof info.at === 'number' ? info.at : undefined, message: { role, ...fields, content } };
  });
}

function encodeMessages(request: CanonicalRequest): Json[] {
  const groups = systemMessages(request.system ?? []);
  const out: Json[] = groups.filter((g) => g.at === undefined).map((g) => g.message);
  request.messages.forEach((message, i) => {
    for (const g of groups) if (g.at === i) out.push(g.message);
    const path = `messages.${i}`;
    if (message.role === 'user') out.push(...userMessages(message, path));
    else out.push(assistantMessage(message, path));
  });
  for (const g of groups) if (g.at !== undefined && g.at >= request.messages.length) out.push(g.message);
  return out;
}

function tool(def: ToolDefinition, i: number): Json {
  if (def.hosted) throw hostedElsewhere(def, `tools.${i}`, 'OpenAI Chat Completions');
  const { fields, meta } = readPassthrough(def.passthrough);
  const extra = isJsonObject(meta.tool) ? meta.tool : {};
  const fn: Json = { name: def.name };
  if (def.description !== undefined) fn.description = def.description;
  const defaultSchema = jsonEqual(def.inputSchema, { type: 'object', properties: {} });
  if (!(meta.noParameters === true && defaultSchema)) fn.parameters = def.inputSchema;
  return { ...extra, type: 'function', function: { ...fn, ...fields } };
}

function toolChoice(choice: ToolChoice): JsonValue {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
  }
}

function responseFormat(format: ResponseFormat, meta: Json): Json {
  const extra = isJsonObject(meta.responseFormat) ? meta.responseFormat : {};
  if (format.type !== 'json_schema') return { ...extra, type: format.type };
  const js: Json = { ...(isJsonObject(meta.jsonSchema) ? meta.jsonSchema : {}), name: format.name };
  if (!(meta.noSchema === true && Object.keys(format.schema).length === 0)) js.schema = format.schema;
  if (format.strict !== undefined) js.strict = format.strict;
  return { ...extra, type: 'json_schema', json_schema: js };
}

export function encodeOpenaiRequest(
  request: CanonicalRequest,
  options: { model: string; stream: boolean },
): UpstreamRequestSpec {
  const { fields, meta } = readPassthrough(request.passthrough);
  if (request.topK !== undefined) throw badRequest('topK', 'OpenAI Chat Completions has no top_k');
  // `thinking` has no portable Chat Completions form (reasoning is chosen per model, and
  // `reasoning_effort` fails on non-reasoning models), so the setting is not sent.
  const body: Json = { ...fields, model: options.model, messages: encodeMessages(request) };
  if (request.maxTokens !== undefined) {
    body[meta.maxTokensField === 'max_tokens' ? 'max_tokens' : 'max_completion_tokens'] = request.maxTokens;
  }
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stopSequences !== undefined) {
    const stops = request.stopSequences;
    body.stop = meta.stop === 'string' && stops.length === 1 ? stops[0]! : stops;
  }
  if (options.stream) {
    body.stream = true;
    // Always ask for usage: the engine needs it, and the stream only completes promptly with it.
    const extra = isJsonObject(meta.streamOptions) ? meta.streamOptions : {};
    body.stream_options = { ...extra, include_usage: true };
  } else if (request.stream === false) body.stream = false;
  if (request.tools !== undefined) body.tools = request.tools.map(tool);
  if (request.toolChoice !== undefined) body.tool_choice = toolChoice(request.toolChoice);
  if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  if (request.responseFormat !== undefined)
    body.response_format = responseFormat(request.responseFormat, meta);
  if (request.user !== undefined) body.user = request.user;
  const headers = request.clientHeaders?.format === 'openai' ? { ...request.clientHeaders.headers } : {};
  return { path: '/chat/completions', body, headers };
}
