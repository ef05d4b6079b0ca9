/**
 * Client side: Anthropic SSE events → canonical parts, for one response. The event's
 * `data.type` decides (the `event:` name may be missing behind some proxies). Pings yield
 * nothing; blocks outlast has no form for (server tool use, web search results) are skipped with
 * their deltas, and the indexes after them renumbered so the canonical ones stay 0..n. Events
 * and deltas it does not model (`citations_delta`, event types newer than this codec) become
 * `passthrough` parts, kept as they came for an Anthropic client (issue 16); one that names a
 * skipped block is dropped with it.
 */
import { OutlastError } from '../../errors/index.ts';
import type { BlockStart, StreamPart } from '../canonical/index.ts';
import type { SseEvent, StreamDecoder } from '../codec.ts';
import { decodeAnthropicStreamError } from './errors.ts';
import { isJsonObject } from './passthrough.ts';
import { decodeStopReason } from './stop-reason.ts';
import { decodeUsage } from './usage.ts';
import { invalidResponse } from './validate.ts';

type Data = Record<string, unknown>;

function parseData(event: SseEvent): Data {
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch (cause) {
    throw invalidResponse(
      `event ${event.event ?? '(unnamed)'} is not JSON: ${event.data.slice(0, 80)}`,
      cause,
    );
  }
  if (!isJsonObject(data)) throw invalidResponse(`event ${event.event ?? '(unnamed)'} is not a JSON object`);
  return data;
}

function indexOf(data: Data): number {
  const index = data.index;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) {
    throw invalidResponse(`${String(data.type)} without a valid index`);
  }
  return index;
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw invalidResponse(`${what} is not a string`);
  return value;
}

function blockStartOf(block: Data): BlockStart | undefined {
  switch (block.type) {
    case 'text':
      return { type: 'text' };
    case 'tool_use':
      return { type: 'tool_use', id: str(block.id, 'tool_use id'), name: str(block.name, 'tool_use name') };
    case 'thinking':
      return { type: 'thinking' };
    case 'redacted_thinking':
      return { type: 'redacted_thinking', data: str(block.data, 'redacted_thinking data') };
    default:
      return undefined;
  }
}

export function createAnthropicStreamDecoder(): StreamDecoder {
  let complete = false;
  let started = false;
  let stopped = false;
  // Wire index → canonical index; skipped blocks are absent.
  const indexes = new Map<number, number>();
  let nextIndex = 0;
  const open = new Set<number>();
  let textChars = 0;
  let lastStop: StreamPart | undefined;

  function blockStart(data: Data): StreamPart[] {
    const wire = indexOf(data);
    if (!isJsonObject(data.content_block)) throw invalidResponse('content_block_start without content_block');
    const block = blockStartOf(data.content_block);
    if (!block) return [];
    const index = nextIndex++;
    indexes.set(wire, index);
    open.add(index);
    const parts: StreamPart[] = [{ type: 'block_start', index, block }];
    // A block may open with content already in it; the API sends it empty, but be kind.
    const first = data.content_block;
    if (block.type === 'text' && typeof first.text === 'string' && first.text !== '') {
      textChars += first.text.length;
      parts.push({ type: 'block_delta', index, delta: { type: 'text', text: first.text } });
    }
    return parts;
  }

  /** The event as it came, for a client of this format; `wire`: the block index it names, if any. */
  function passthrough(event: SseEvent, wire: number | undefined): StreamPart[] {
    const part: StreamPart = { type: 'passthrough', format: 'anthropic', data: event.data };
    if (event.event !== undefined) part.event = event.event;
    if (wire === undefined) return [part];
    const index = indexes.get(wire);
    if (index === undefined) return [];
    part.index = index;
    return [part];
  }

  function blockDelta(data: Data, event: SseEvent): StreamPart[] {
    const index = indexes.get(indexOf(data));
    if (!isJsonObject(data.delta)) throw invalidResponse('content_block_delta without delta');
    if (index === undefined) return [];
    const d = data.delta;
    switch (d.type) {
      case 'text_delta': {
        const text = str(d.text, 'text_delta text');
        textChars += text.length;
        return [{ type: 'block_delta', index, delta: { type: 'text', text } }];
      }
      case 'input_json_delta':
        return [
          {
            type: 'block_delta',
            index,
            delta: { type: 'tool_input', partialJson: str(d.partial_json, 'partial_json') },
          },
        ];
      case 'thinking_delta':
        return [
          { type: 'block_delta', index, delta: { type: 'thinking', thinking: str(d.thinking, 'thinking') } },
        ];
      case 'signature_delta':
        return [
          {
            type: 'block_delta',
            index,
            delta: { type: 'signature', signature: str(d.signature, 'signature') },
          },
        ];
      default:
        // citations_delta and future delta types have no canonical form: relayed as they came.
        return passthrough(event, indexOf(data));
    }
  }

  function messageDelta(data: Data): StreamPart[] {
    const delta = isJsonObject(data.delta) ? data.delta : {};
    const part: Extract<StreamPart, { type: 'message_delta' }> = { type: 'message_delta' };
    if (typeof delta.stop_reason === 'string') {
      part.stopReason = decodeStopReason(delta.stop_reason);
      stopped = true;
    }
    if (typeof delta.stop_sequence === 'string' || delta.stop_sequence === null)
      part.stopSequence = delta.stop_sequence;
    const { usage } = decodeUsage(data.usage);
    if (Object.keys(usage).length > 0) part.usage = usage;
    lastStop = part;
    return [part];
  }

  function push(event: SseEvent): StreamPart[] {
    // Whatever a proxy appends after the answer closed is not part of it.
    if (complete) return [];
    const data = parseData(event);
    switch (data.type) {
      case 'message_start': {
        const message = data.message;
        if (!isJsonObject(message)) throw invalidResponse('message_start without message');
        started = true;
        const part: Extract<StreamPart, { type: 'message_start' }> = {
          type: 'message_start',
          id: str(message.id, 'message id'),
          model: typeof message.model === 'string' ? message.model : '',
        };
        const { usage } = decodeUsage(message.usage);
        if (Object.keys(usage).length > 0) part.usage = usage;
        return [part];
      }
      case 'content_block_start':
        return blockStart(data);
      case 'content_block_delta':
        return blockDelta(data, event);
      case 'content_block_stop': {
        const index = indexes.get(indexOf(data));
        if (index === undefined || !open.delete(index)) return [];
        return [{ type: 'block_stop', index }];
      }
      case 'message_delta':
        return messageDelta(data);
      case 'message_stop':
        complete = true;
        return [{ type: 'message_stop' }];
      case 'error':
        return [{ type: 'error', error: decodeAnthropicStreamError(data) }];
      case 'ping':
        // Our own keep-alives stand in for the upstream's.
        return [];
      default:
        // Event types newer than this codec.
        return passthrough(event, data.index === undefined ? undefined : indexOf(data));
    }
  }

  function end(): StreamPart[] {
    if (complete) return [];
    // The stop reason arrived and only message_stop is missing: the answer is whole.
    if (stopped && lastStop) {
      complete = true;
      const parts: StreamPart[] = [...open].map((index) => ({ type: 'block_stop', index }) as StreamPart);
      open.clear();
      parts.push({ type: 'message_stop' });
      return parts;
    }
    const received = started
      ? `message_start, ${nextIndex} content block(s), ${textChars} character(s) of text${open.size > 0 ? `, block ${[...open].join(', ')} still open` : ''}`
      : 'no message_start';
    throw new OutlastError({
      kind: 'stream_interrupted',
      message: `anthropic stream ended before message_stop (received ${received})`,
    });
  }

  return {
    push,
    get complete() {
      return complete;
    },
    end,
  };
}
