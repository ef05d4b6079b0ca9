/**
 * Server side: an OpenAI Responses API request → canonical, plus the parameters a Response
 * object echoes back (instructions, tools, text format…). The body itself rides along as the
 * request's `origin`: a target that is OpenAI's own Responses API (`responses: true`) gets it
 * as it came. What outlast cannot carry to an upstream of another format is listed by name in
 * `origin.needs`, never dropped in silence: stored state (`previous_response_id`,
 * `conversation`, `prompt`, item references), background runs, hosted tools, files and audio;
 * with any of them every other target is skipped as untranslatable (a 400 naming the field
 * when none is left). Hints with no effect on the answer's shape (`store`, `include`,
 * `service_tier`, `prompt_cache_key`, `truncation`, `text.verbosity`) reach a Responses target
 * and are not sent to the others.
 */
import type {
  CanonicalRequest,
  ContentBlock,
  ImageBlock,
  JsonObject,
  JsonValue,
  Message,
  RequestOrigin,
  ResponseFormat,
  TextBlock,
  ThinkingConfig,
  ToolChoice,
  ToolDefinition,
} from '../canonical/index.ts';
import { isJsonObject } from '../shared/passthrough.ts';
import { badRequest, parseWith } from '../shared/validate.ts';
import {
  functionCallItemSchema,
  functionCallOutputItemSchema,
  functionToolSchema,
  inputImageSchema,
  inputTextSchema,
  messageItemSchema,
  outputTextSchema,
  type RawResponsesRequest,
  reasoningItemSchema,
  refusalSchema,
  requestSchema,
} from './request-schema.ts';

/** The request's parameters as a Response object repeats them. */
export interface ResponsesEcho {
  instructions: string | null;
  maxOutputTokens: number | null;
  metadata: JsonObject;
  parallelToolCalls: boolean;
  reasoning: JsonObject;
  temperature: number | null;
  text: JsonObject;
  toolChoice: JsonValue;
  tools: JsonValue[];
  topP: number | null;
  user: string | null;
  store: boolean;
  /** The stored response this one continues; null from a gateway that translates (it stores nothing). */
  previousResponseId: string | null;
}

export interface ParsedResponsesRequest {
  request: CanonicalRequest;
  echo: ResponsesEcho;
}

/** Features that need OpenAI's own Responses API (stored state, server-side prompts, background runs). */
const NEEDS_OPENAI_RESPONSES: Readonly<Record<string, string>> = {
  previous_response_id: 'a stored earlier response',
  conversation: 'a stored conversation',
  prompt: 'a stored prompt template',
};

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

/**
 * Effort → an extended-thinking budget for targets that take one (Anthropic, Gemini). OpenAI
 * reasoning targets behind Chat Completions choose their own effort.
 */
const EFFORT_BUDGET: Readonly<Record<string, number>> = {
  low: 1024,
  medium: 4096,
  high: 16_384,
  xhigh: 32_768,
};

function parse<T>(schema: Parameters<typeof parseWith>[0], value: unknown, path: string): T {
  return parseWith(schema, value, { path, kind: 'bad_request' }) as T;
}

type Need = RequestOrigin['needs'][number];

function imageBlock(raw: unknown, path: string, needs: Need[]): ImageBlock | undefined {
  const part = parse<{ image_url?: string | null; file_id?: string | null }>(inputImageSchema, raw, path);
  if (!part.image_url) {
    if (part.file_id) {
      needs.push({ path: `${path}.file_id`, what: 'an uploaded file' });
      return undefined;
    }
    throw badRequest(`${path}.image_url`, 'expected an image URL or a data URL');
  }
  const match = DATA_URL.exec(part.image_url);
  return {
    type: 'image',
    source: match
      ? { type: 'base64', mediaType: match[1]!, data: match[2]! }
      : { type: 'url', url: part.image_url },
  };
}

/** One content part of a message or a function call's output. */
function contentPart(
  raw: Record<string, unknown>,
  path: string,
  role: string,
  needs: Need[],
): TextBlock | ImageBlock | undefined {
  switch (raw.type) {
    case 'input_text':
      return { type: 'text', text: parse<{ text: string }>(inputTextSchema, raw, path).text };
    case 'output_text':
      return { type: 'text', text: parse<{ text: string }>(outputTextSchema, raw, path).text };
    case 'refusal':
      return { type: 'text', text: parse<{ refusal: string }>(refusalSchema, raw, path).refusal };
    case 'input_image':
      if (role === 'assistant') throw badRequest(`${path}.type`, 'an assistant message cannot hold an image');
      return imageBlock(raw, path, needs);
    case 'input_file':
      needs.push({ path: `${path}.type`, what: 'an input_file part' });
      return undefined;
    case 'input_audio':
      needs.push({ path: `${path}.type`, what: 'an input_audio part' });
      return undefined;
    default:
      throw badRequest(`${path}.type`, `unknown content part type ${JSON.stringify(raw.type)}`);
  }
}

/** Builds the canonical turns, merging consecutive items of one role into one message. */
class Turns {
  readonly messages: Message[] = [];
  readonly system: TextBlock[] = [];

  push(role: Message['role'], blocks: ContentBlock[]): void {
    if (blocks.length === 0) return;
    const last = this.messages.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else this.messages.push({ role, content: blocks });
  }
}

/** The content parts outlast can carry; the others are listed in `needs`. */
function contentParts(
  parts: Array<Record<string, unknown>>,
  path: string,
  role: string,
  needs: Need[],
): Array<TextBlock | ImageBlock> {
  const blocks: Array<TextBlock | ImageBlock> = [];
  for (const [i, part] of parts.entries()) {
    const block = contentPart(part, `${path}.${i}`, role, needs);
    if (block) blocks.push(block);
  }
  return blocks;
}

function addMessage(turns: Turns, raw: unknown, path: string, needs: Need[]): void {
  const item = parse<{ role: string; content: string | Array<Record<string, unknown>> }>(
    messageItemSchema,
    raw,
    path,
  );
  const blocks: Array<TextBlock | ImageBlock> =
    typeof item.content === 'string'
      ? [{ type: 'text', text: item.content }]
      : contentParts(item.content, `${path}.content`, item.role, needs);
  if (item.role === 'system' || item.role === 'developer') {
    // A system prompt is one thing in the canonical model: instructions given later join it.
    for (const [i, block] of blocks.entries()) {
      if (block.type !== 'text') throw badRequest(`${path}.content.${i}`, 'a system message holds text only');
      turns.system.push(block);
    }
    return;
  }
  turns.push(item.role as Message['role'], blocks);
}

function parseArguments(text: string, path: string): JsonObject {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest(path, 'expected a JSON object in a string');
  }
  if (!isJsonObject(value)) throw badRequest(path, 'expected a JSON object in a string');
  return value;
}

function addItem(turns: Turns, raw: Record<string, unknown>, path: string, needs: Need[]): void {
  switch (raw.type ?? 'message') {
    case 'message':
      addMessage(turns, raw, path, needs);
      return;
    case 'function_call': {
      const item = parse<{ call_id: string; name: string; arguments: string }>(
        functionCallItemSchema,
        raw,
        path,
      );
      turns.push('assistant', [
        {
          type: 'tool_use',
          id: item.call_id,
          name: item.name,
          input: parseArguments(item.arguments, `${path}.arguments`),
        },
      ]);
      return;
    }
    case 'function_call_output': {
      const item = parse<{ call_id: string; output: string | Array<Record<string, unknown>> }>(
        functionCallOutputItemSchema,
        raw,
        path,
      );
      const content =
        typeof item.output === 'string'
          ? [{ type: 'text' as const, text: item.output }]
          : contentParts(item.output, `${path}.output`, 'user', needs);
      turns.push('user', [{ type: 'tool_result', toolUseId: item.call_id, content }]);
      return;
    }
    case 'reasoning': {
      const item = parse<{
        summary?: Array<{ text: string }>;
        content?: Array<{ text: string }> | null;
        encrypted_content?: string | null;
      }>(reasoningItemSchema, raw, path);
      const text = [...(item.summary ?? []), ...(item.content ?? [])].map((p) => p.text).join('\n\n');
      const sealed = item.encrypted_content ?? undefined;
      // Our own reasoning items carry an Anthropic signature (or redacted data) as encrypted_content.
      if (text !== '')
        turns.push('assistant', [
          { type: 'thinking', thinking: text, ...(sealed === undefined ? {} : { signature: sealed }) },
        ]);
      else if (sealed !== undefined) turns.push('assistant', [{ type: 'redacted_thinking', data: sealed }]);
      return;
    }
    case 'item_reference':
      needs.push({ path: `${path}.type`, what: 'an item_reference (a stored item)' });
      return;
    default:
      // Hosted tools' calls and outputs, MCP approvals…: outlast translates messages, function
      // calls and their outputs, and reasoning.
      needs.push({ path: `${path}.type`, what: `a ${JSON.stringify(raw.type)} item` });
  }
}

function tools(raw: Array<Record<string, unknown>>, needs: Need[]): ToolDefinition[] {
  const out: ToolDefinition[] = [];
  for (const [i, tool] of raw.entries()) {
    const path = `tools.${i}`;
    if (tool.type !== 'function') {
      needs.push({ path: `${path}.type`, what: `the hosted tool ${JSON.stringify(tool.type)}` });
      continue;
    }
    const fn = parse<{ name: string; description?: string | null; parameters?: JsonObject | null }>(
      functionToolSchema,
      tool,
      path,
    );
    out.push({
      name: fn.name,
      ...(fn.description ? { description: fn.description } : {}),
      inputSchema: fn.parameters ?? { type: 'object', properties: {} },
    });
  }
  return out;
}

function toolChoice(raw: RawResponsesRequest['tool_choice'], needs: Need[]): ToolChoice | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (raw === 'auto') return { type: 'auto' };
  if (raw === 'none') return { type: 'none' };
  if (raw === 'required') return { type: 'any' };
  if (raw.type === 'function' && typeof raw.name === 'string') return { type: 'tool', name: raw.name };
  if (typeof raw.type === 'string' && raw.type !== 'function' && raw.type !== 'allowed_tools') {
    // Forcing a hosted tool (`web_search`, `file_search`…) is the Responses API's own.
    needs.push({
      path: 'tool_choice.type',
      what: `a tool_choice of the hosted tool ${JSON.stringify(raw.type)}`,
    });
    return undefined;
  }
  throw badRequest(
    'tool_choice.type',
    `tool_choice ${JSON.stringify(raw.type)} is not supported by the gateway`,
  );
}

function responseFormat(raw: NonNullable<RawResponsesRequest['text']>['format']): ResponseFormat | undefined {
  if (!raw || raw.type === 'text') return undefined;
  if (raw.type === 'json_object') return { type: 'json_object' };
  const f = raw as { name: string; schema: JsonObject; strict?: boolean | null };
  return {
    type: 'json_schema',
    name: f.name,
    schema: f.schema,
    ...(f.strict == null ? {} : { strict: f.strict }),
  };
}

function thinking(
  effort: string | null | undefined,
  maxTokens: number | undefined,
): ThinkingConfig | undefined {
  const budget = effort ? EFFORT_BUDGET[effort] : undefined;
  if (budget === undefined)
    return effort === 'none' || effort === 'minimal' ? { type: 'disabled' } : undefined;
  if (maxTokens === undefined) return { type: 'enabled', budgetTokens: budget };
  // A budget must leave room for the answer (and Anthropic takes no less than 1,024).
  const fitted = Math.min(budget, Math.floor(maxTokens / 2));
  return fitted >= 1024 ? { type: 'enabled', budgetTokens: fitted } : undefined;
}

export function parseResponsesRequest(body: unknown): ParsedResponsesRequest {
  const needs: Need[] = [];
  if (isJsonObject(body)) {
    for (const [field, what] of Object.entries(NEEDS_OPENAI_RESPONSES)) {
      if (body[field] !== undefined && body[field] !== null) needs.push({ path: field, what });
    }
    if (body.background === true) needs.push({ path: 'background', what: 'a background response' });
  }
  const raw = parse<RawResponsesRequest>(requestSchema, body, '');
  const turns = new Turns();
  if (raw.instructions) turns.system.push({ type: 'text', text: raw.instructions });
  if (typeof raw.input === 'string') turns.push('user', [{ type: 'text', text: raw.input }]);
  else
    for (const [i, item] of (raw.input ?? []).entries())
      addItem(turns, item as Record<string, unknown>, `input.${i}`, needs);
  // With stored state (a stored prompt, an earlier response) the new input may be empty.
  if (turns.messages.length === 0 && needs.length === 0)
    throw badRequest('input', 'expected at least one message or item');

  const request: CanonicalRequest = {
    model: raw.model,
    messages: turns.messages,
    origin: { dialect: 'openai-responses', body: body as JsonObject, needs },
  };
  if (turns.system.length > 0) request.system = turns.system;
  const maxTokens = raw.max_output_tokens ?? undefined;
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  if (raw.temperature != null) request.temperature = raw.temperature;
  if (raw.top_p != null) request.topP = raw.top_p;
  if (raw.stream) request.stream = true;
  const rawTools = (raw.tools ?? []) as Array<Record<string, unknown>>;
  const functionTools = tools(rawTools, needs);
  if (functionTools.length > 0) request.tools = functionTools;
  const choice = toolChoice(raw.tool_choice, needs);
  if (choice) request.toolChoice = choice;
  if (raw.parallel_tool_calls === false) request.parallelToolCalls = false;
  const think = thinking(raw.reasoning?.effort, maxTokens);
  if (think) request.thinking = think;
  const format = responseFormat(raw.text?.format);
  if (format) request.responseFormat = format;
  const user = raw.user ?? raw.safety_identifier ?? undefined;
  if (user) request.user = user;

  const echo: ResponsesEcho = {
    instructions: raw.instructions ?? null,
    maxOutputTokens: maxTokens ?? null,
    metadata: (raw.metadata ?? {}) as JsonObject,
    parallelToolCalls: raw.parallel_tool_calls ?? true,
    reasoning: { effort: raw.reasoning?.effort ?? null, summary: raw.reasoning?.summary ?? null },
    temperature: raw.temperature ?? null,
    text: {
      format: (raw.text?.format ?? { type: 'text' }) as JsonObject,
      verbosity: raw.text?.verbosity ?? 'medium',
    },
    toolChoice: (raw.tool_choice ?? 'auto') as JsonValue,
    // As OpenAI echoes them: every field of a function tool present, null when not given.
    tools: rawTools.map((tool) => ({
      type: 'function',
      name: tool.name as string,
      description: (tool.description as string | undefined) ?? null,
      parameters: (tool.parameters as JsonObject | undefined) ?? null,
      strict: (tool.strict as boolean | undefined) ?? null,
    })),
    topP: raw.top_p ?? null,
    user: raw.user ?? null,
    store: false,
    previousResponseId: null,
  };
  return { request, echo };
}
