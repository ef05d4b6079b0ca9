/** Non-stream bodies, both directions: ChatCompletion ↔ canonical response. */
import type {
  CanonicalResponse,
  ContentBlock,
  JsonObject,
  JsonValue,
  TextBlock,
  ToolUseBlock,
} from '../canonical/index.ts';
import { fitsCompletion } from './completion-guard.ts';
import { isJsonObject, jsonEqual, makePassthrough, readPassthrough, unknownFields } from './passthrough.ts';
import { toolCall } from './request.ts';
import { completionSchema } from './response-schema.ts';
import { decodeFinishReason, encodeFinishReason } from './stop-reason.ts';
import { decodeUsage, encodeUsage } from './usage.ts';
import { invalidResponse, parseWith } from './validate.ts';

/** Parses a tool call's argument string; a model's broken JSON is an invalid response. */
export function parseArguments(text: string | null | undefined, where: string): JsonObject {
  if (text === null || text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidResponse(`${where}: arguments are not valid JSON`, error);
  }
  if (!isJsonObject(value)) throw invalidResponse(`${where}: arguments are not a JSON object`);
  return value;
}

export function decodeOpenaiResponse(body: unknown): CanonicalResponse {
  const raw = fitsCompletion(body)
    ? body
    : parseWith(completionSchema, body, {
        kind: 'invalid_response',
        what: 'openai-format upstream body',
      });
  const choice = raw.choices[0]!;
  const message = choice.message;
  const content: ContentBlock[] = [];
  if (typeof message.reasoning_content === 'string' && message.reasoning_content !== '') {
    content.push({ type: 'thinking', thinking: message.reasoning_content });
  }
  if (typeof message.content === 'string' && message.content !== '')
    content.push({ type: 'text', text: message.content });
  if (typeof message.refusal === 'string') {
    content.push({
      type: 'text',
      text: message.refusal,
      passthrough: makePassthrough({}, { refusal: true }),
    });
  }
  (message.tool_calls ?? []).forEach((call, k) => {
    const block: ToolUseBlock = {
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: parseArguments(call.function.arguments, `choices.0.message.tool_calls.${k}`),
    };
    const fnExtra = unknownFields(call.function, ['name', 'arguments']);
    const meta: JsonObject = { arguments: call.function.arguments ?? '' };
    if (Object.keys(fnExtra).length > 0) meta.function = fnExtra;
    block.passthrough = makePassthrough(unknownFields(call, ['id', 'type', 'function']), meta);
    content.push(block);
  });
  const meta: JsonObject = {
    choice: unknownFields(choice, ['message', 'finish_reason', 'index']),
    message: unknownFields(message, ['role', 'content', 'refusal', 'reasoning_content', 'tool_calls']),
    finishReason: choice.finish_reason ?? null,
    content: message.content === undefined ? 'absent' : (message.content as JsonValue),
  };
  if (message.refusal === undefined) meta.noRefusal = true;
  if (message.tool_calls === null || (message.tool_calls && message.tool_calls.length === 0)) {
    meta.toolCalls = message.tool_calls as JsonValue;
  }
  if (raw.usage !== undefined) meta.usage = raw.usage as JsonValue;
  const response: CanonicalResponse = {
    id: raw.id,
    model: raw.model,
    content,
    stopReason: decodeFinishReason(choice.finish_reason),
    usage: decodeUsage(raw.usage),
  };
  response.passthrough = makePassthrough(unknownFields(raw, ['id', 'model', 'choices', 'usage']), meta);
  return response;
}

function messageContent(texts: TextBlock[], remembered: JsonValue | undefined): JsonValue | undefined {
  const joined = texts.map((t) => t.text).join('');
  // Keep the upstream's own empty form ("" or absent) when there is still no text.
  if (texts.length === 0) {
    if (remembered === 'absent') return undefined;
    return remembered === '' ? '' : null;
  }
  return joined;
}

export function encodeOpenaiResponse(response: CanonicalResponse, options: { model: string }): JsonObject {
  // An answer relayed as it came (n > 1, audio), for its client unchanged.
  if (response.verbatim?.dialect === 'openai-chat') return response.verbatim.body;
  const { fields, meta } = readPassthrough(response.passthrough);
  const texts: TextBlock[] = [];
  const refusals: TextBlock[] = [];
  const calls: JsonObject[] = [];
  let reasoning = '';
  for (const block of response.content) {
    if (block.type === 'text') {
      (readPassthrough(block.passthrough).meta.refusal === true ? refusals : texts).push(block);
    } else if (block.type === 'tool_use') calls.push(toolCall(block));
    else if (block.type === 'thinking') reasoning += block.thinking;
    // redacted_thinking is opaque and images never come from a model here: nothing to show.
  }
  const message: JsonObject = { role: 'assistant' };
  const content = messageContent(texts, meta.content);
  if (content !== undefined) message.content = content;
  if (refusals.length > 0) message.refusal = refusals.map((r) => r.text).join('');
  else if (meta.noRefusal !== true) message.refusal = null;
  // Not in OpenAI's own API: the field DeepSeek-style servers use, which SDKs pass through.
  if (reasoning !== '') message.reasoning_content = reasoning;
  if (calls.length > 0) message.tool_calls = calls;
  else if (meta.toolCalls !== undefined) message.tool_calls = meta.toolCalls;
  Object.assign(message, isJsonObject(meta.message) ? meta.message : {});

  const mapped = encodeFinishReason(response.stopReason);
  const remembered = typeof meta.finishReason === 'string' ? meta.finishReason : undefined;
  const finishReason =
    remembered && decodeFinishReason(remembered) === response.stopReason ? remembered : mapped;
  const choice: JsonObject = {
    index: 0,
    message,
    logprobs: null,
    ...(isJsonObject(meta.choice) ? meta.choice : {}),
    finish_reason: finishReason,
  };
  const rawUsage = meta.usage;
  const usage =
    rawUsage !== undefined && jsonEqual(decodeUsage(rawUsage), response.usage)
      ? rawUsage
      : encodeUsage(response.usage);
  return {
    id: response.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: options.model,
    ...fields,
    choices: [choice],
    usage,
  };
}
