/**
 * Canonical blocks as Responses API output items, and the Response object around them: what
 * the non-streaming answer and the stream's snapshot events (`response.created`,
 * `output_item.done`, `response.completed`) share, so both give the same ids and fields.
 */
import type { ContentBlock, JsonObject, JsonValue, StopReason, Usage } from '../canonical/index.ts';
import type { ResponsesEcho } from './parse-request.ts';

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** Ids in OpenAI's style, derived from the answer's id so the stream and its snapshot agree. */
export function responseIdOf(canonicalId: string): string {
  const base = canonicalId.replace(/^(resp|msg|chatcmpl)[-_]/, '').replace(/[^A-Za-z0-9]/g, '');
  return `resp_${base === '' ? 'outlast' : base}`;
}

export function itemIdOf(responseId: string, kind: 'msg' | 'fc' | 'rs', outputIndex: number): string {
  return `${kind}_${responseId.slice('resp_'.length)}${outputIndex}`;
}

export function textPart(text: string): JsonObject {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

export function messageItem(id: string, text: string | undefined, status: ResponseStatus): JsonObject {
  return {
    id,
    type: 'message',
    status,
    role: 'assistant',
    content: text === undefined ? [] : [textPart(text)],
  };
}

export function functionCallItem(
  id: string,
  call: { callId: string; name: string; arguments: string },
  status: ResponseStatus,
): JsonObject {
  return {
    id,
    type: 'function_call',
    status,
    call_id: call.callId,
    name: call.name,
    arguments: call.arguments,
  };
}

/**
 * A reasoning item. An Anthropic thinking block's signature (or a redacted block's data) rides
 * in `encrypted_content`, so a client that sends the item back gives the target what it needs.
 */
export function reasoningItem(
  id: string,
  summary: string | undefined,
  sealed: string | undefined,
  status: ResponseStatus,
): JsonObject {
  return {
    id,
    type: 'reasoning',
    summary: summary === undefined ? [] : [{ type: 'summary_text', text: summary }],
    ...(sealed === undefined ? {} : { encrypted_content: sealed }),
    status,
  };
}

/** The output items of a whole answer; blocks a response cannot hold (images, tool results) are left out. */
export function outputItems(responseId: string, content: ContentBlock[]): JsonObject[] {
  const items: JsonObject[] = [];
  for (const block of content) {
    const index = items.length;
    switch (block.type) {
      case 'text':
        items.push(messageItem(itemIdOf(responseId, 'msg', index), block.text, 'completed'));
        break;
      case 'tool_use':
        items.push(
          functionCallItem(
            itemIdOf(responseId, 'fc', index),
            { callId: block.id, name: block.name, arguments: JSON.stringify(block.input) },
            'completed',
          ),
        );
        break;
      case 'thinking':
        items.push(
          reasoningItem(itemIdOf(responseId, 'rs', index), block.thinking, block.signature, 'completed'),
        );
        break;
      case 'redacted_thinking':
        items.push(reasoningItem(itemIdOf(responseId, 'rs', index), undefined, block.data, 'completed'));
        break;
      default:
        break;
    }
  }
  return items;
}

/** Responses usage: input counts cached and cache-written tokens, as OpenAI's does. */
export function encodeResponsesUsage(usage: Partial<Usage>): JsonObject {
  const cached = usage.cacheReadTokens ?? 0;
  const written = usage.cacheWriteTokens ?? 0;
  const input = (usage.inputTokens ?? 0) + cached + written;
  const output = usage.outputTokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached, cache_write_tokens: written },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: input + output,
  };
}

/** How an answer ended, as a Response's status and `incomplete_details`. */
export function endingOf(
  stopReason: StopReason | undefined,
  truncated: boolean,
): { status: ResponseStatus; incompleteDetails: JsonObject | null } {
  if (truncated || stopReason === 'max_tokens' || stopReason === 'context_window_exceeded')
    return { status: 'incomplete', incompleteDetails: { reason: 'max_output_tokens' } };
  if (stopReason === 'refusal')
    return { status: 'incomplete', incompleteDetails: { reason: 'content_filter' } };
  return { status: 'completed', incompleteDetails: null };
}

export interface ResponseShell {
  id: string;
  model: string;
  createdAt: number;
  status: ResponseStatus;
  output: JsonObject[];
  usage: JsonObject | null;
  incompleteDetails?: JsonObject | null;
  error?: JsonObject | null;
}

/** The Response object, with every field the published schema requires (nullable ones as null). */
export function responseObject(echo: ResponsesEcho, shell: ResponseShell): JsonObject {
  return {
    id: shell.id,
    object: 'response',
    created_at: shell.createdAt,
    status: shell.status,
    completed_at: shell.status === 'completed' ? Math.floor(Date.now() / 1000) : null,
    background: false,
    error: shell.error ?? null,
    incomplete_details: shell.incompleteDetails ?? null,
    instructions: echo.instructions,
    max_output_tokens: echo.maxOutputTokens,
    model: shell.model,
    output: shell.output,
    parallel_tool_calls: echo.parallelToolCalls,
    previous_response_id: echo.previousResponseId,
    reasoning: echo.reasoning,
    service_tier: 'default',
    store: echo.store,
    temperature: echo.temperature,
    text: echo.text,
    tool_choice: echo.toolChoice,
    tools: echo.tools as JsonValue[],
    top_p: echo.topP,
    truncation: 'disabled',
    // Optional but never null in the published schema: absent until the answer has its usage.
    ...(shell.usage === null ? {} : { usage: shell.usage }),
    // The published schema types `user` as a string: absent rather than null when not given.
    ...(echo.user === null ? {} : { user: echo.user }),
    metadata: echo.metadata,
  };
}
