/**
 * Client side: a Responses API upstream's event stream → canonical parts, for a caller of the
 * Responses API. Each event is handed on first as it came (a `verbatim` part, which the
 * caller's encoder sends unchanged), then as the canonical parts the engine reads: the commit
 * point, the first-token and idle clocks, usage, the assembled answer. Output text and refusals
 * are text blocks, function calls tool_use blocks, reasoning summaries thinking blocks; hosted
 * tools' items have no canonical form and travel in the verbatim parts only (their progress
 * events keep the clocks alive). An `error` event or `response.failed` is an `error` part, not
 * relayed: the engine retries it before the commit point, and after it the caller's stream
 * ends with the gateway's own `error` and `response.failed` events.
 */
import { OutlastError } from '../../errors/index.ts';
import type { StopReason, StreamPart } from '../canonical/index.ts';
import type { SseEvent, StreamDecoder } from '../codec.ts';
import { decodeOpenaiStreamError } from '../openai/errors.ts';
import { isJsonObject } from '../shared/passthrough.ts';
import { invalidResponseFrom } from '../shared/validate.ts';
import { decodeResponsesUsage } from './upstream-usage.ts';

/** A hosted tool at work (searching, running code, drawing): no content yet, but not silent. */
const HOSTED_PROGRESS =
  /^response\.(web_search_call|file_search_call|code_interpreter_call|image_generation_call|mcp_call|mcp_list_tools|computer_call|custom_tool_call)/;

type Json = Record<string, unknown>;

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** How a Response that is not `completed` ended. */
function incompleteReason(response: Json): StopReason {
  const details = isJsonObject(response.incomplete_details) ? response.incomplete_details : {};
  return details.reason === 'content_filter' ? 'refusal' : 'max_tokens';
}

export function createResponsesUpstreamDecoder(): StreamDecoder {
  let complete = false;
  let events = 0;
  let textChars = 0;
  let sawToolCall = false;
  /** Canonical index by the event's place: `m<output>:<content>` for text, `f<output>`, `r<output>`. */
  const blocks = new Map<string, number>();
  let nextIndex = 0;

  const open = (
    key: string,
    parts: StreamPart[],
    block: Extract<StreamPart, { type: 'block_start' }>['block'],
  ) => {
    if (blocks.has(key)) return;
    const index = nextIndex++;
    blocks.set(key, index);
    parts.push({ type: 'block_start', index, block });
  };
  const close = (key: string, parts: StreamPart[]) => {
    const index = blocks.get(key);
    if (index === undefined) return;
    blocks.delete(key);
    parts.push({ type: 'block_stop', index });
  };
  const closeAll = (parts: StreamPart[]) => {
    for (const key of [...blocks.keys()]) close(key, parts);
  };
  const ending = (parts: StreamPart[], response: Json, stopReason: StopReason) => {
    closeAll(parts);
    const usage = decodeResponsesUsage(response.usage);
    parts.push({ type: 'message_delta', stopReason, ...(usage ? { usage } : {}) }, { type: 'message_stop' });
    complete = true;
  };

  return {
    get complete() {
      return complete;
    },
    push(event: SseEvent): StreamPart[] {
      if (complete) return [];
      let data: Json;
      try {
        const parsed: unknown = JSON.parse(event.data);
        if (!isJsonObject(parsed)) throw new TypeError('not a JSON object');
        data = parsed;
      } catch (cause) {
        throw invalidResponseFrom(
          'openai',
          `a Responses stream event that is not a JSON object: ${event.data.slice(0, 120)}`,
          cause,
        );
      }
      events++;
      const type = str(data.type) || str(event.event);
      if (type === 'error') {
        complete = true;
        return [
          { type: 'error', error: decodeOpenaiStreamError(isJsonObject(data.error) ? data.error : data) },
        ];
      }
      const response = isJsonObject(data.response) ? data.response : undefined;
      if (type === 'response.failed') {
        complete = true;
        const error =
          response && isJsonObject(response.error) ? response.error : { message: 'the response failed' };
        return [{ type: 'error', error: decodeOpenaiStreamError(error) }];
      }
      const parts: StreamPart[] = [
        {
          type: 'verbatim',
          dialect: 'openai-responses',
          event: type,
          data: event.data,
          ...(HOSTED_PROGRESS.test(type) ? { live: true } : {}),
        },
      ];
      const out = String(data.output_index ?? '');
      const item = isJsonObject(data.item) ? data.item : undefined;
      switch (type) {
        case 'response.created':
          if (response)
            parts.push({ type: 'message_start', id: str(response.id), model: str(response.model) });
          break;
        case 'response.output_item.added':
          if (item?.type === 'function_call') {
            sawToolCall = true;
            open(`f${out}`, parts, { type: 'tool_use', id: str(item.call_id), name: str(item.name) });
          } else if (item?.type === 'reasoning') open(`r${out}`, parts, { type: 'thinking' });
          break;
        case 'response.content_part.added':
          open(`m${out}:${String(data.content_index ?? 0)}`, parts, { type: 'text' });
          break;
        case 'response.output_text.delta':
        case 'response.refusal.delta': {
          const key = `m${out}:${String(data.content_index ?? 0)}`;
          open(key, parts, { type: 'text' });
          const text = str(data.delta);
          textChars += text.length;
          parts.push({ type: 'block_delta', index: blocks.get(key)!, delta: { type: 'text', text } });
          break;
        }
        case 'response.content_part.done':
          close(`m${out}:${String(data.content_index ?? 0)}`, parts);
          break;
        case 'response.function_call_arguments.delta': {
          const index = blocks.get(`f${out}`);
          if (index !== undefined)
            parts.push({
              type: 'block_delta',
              index,
              delta: { type: 'tool_input', partialJson: str(data.delta) },
            });
          break;
        }
        case 'response.reasoning_summary_text.delta':
        case 'response.reasoning_text.delta': {
          const key = `r${out}`;
          open(key, parts, { type: 'thinking' });
          parts.push({
            type: 'block_delta',
            index: blocks.get(key)!,
            delta: { type: 'thinking', thinking: str(data.delta) },
          });
          break;
        }
        case 'response.output_item.done':
          if (item?.type === 'function_call') close(`f${out}`, parts);
          else if (item?.type === 'reasoning') close(`r${out}`, parts);
          else if (item?.type === 'message')
            for (const key of [...blocks.keys()]) if (key.startsWith(`m${out}:`)) close(key, parts);
          break;
        case 'response.completed':
          ending(parts, response ?? {}, sawToolCall ? 'tool_use' : 'end_turn');
          break;
        case 'response.incomplete':
          ending(parts, response ?? {}, incompleteReason(response ?? {}));
          break;
      }
      return parts;
    },
    end(): StreamPart[] {
      if (complete) return [];
      throw new OutlastError({
        kind: 'stream_interrupted',
        message: `Responses API stream ended after ${events} event${events === 1 ? '' : 's'} (${textChars} characters of text) without response.completed`,
      });
    },
  };
}
