/**
 * Server side: canonical stream parts → Messages API stream events, as the API sends them
 * and as `@anthropic-ai/sdk`'s `messages.stream()` needs them: `message_start` first, block
 * indexes 0..n in order, one `message_delta` carrying `usage.output_tokens` just before
 * `message_stop`.
 *
 * `message_delta` parts are merged and sent once, right before `message_stop`: the SDK
 * overwrites its stop reason with each `message_delta`, so a second one would erase it.
 *
 * A salvaged answer (`message_stop` with `truncated`) closes its open blocks and ends with
 * stop_reason `max_tokens`: the one standard way an Anthropic client already reads "the
 * answer was cut short" (it is never sent for a complete answer, so it cannot be mistaken
 * for `end_turn`).
 */
import type { StopReason, StreamPart, Usage } from '../canonical/index.ts';
import type { StreamEncoderOptions, StreamEventEncoder } from '../codec.ts';
import { withStreamEnding } from '../shared/stream-ending.ts';
import { DELTA_FIELDS, DELTA_USAGE_FIELDS, MESSAGE_FIELDS, USAGE_FIELDS } from './sdk-fields.ts';
import type {
  AnthropicContentBlock,
  AnthropicContentDelta,
  AnthropicStreamEvent,
  AnthropicUsage,
} from './sdk-types.ts';
import { encodeStopReason } from './stop-reason.ts';
import { encodeUsage } from './usage.ts';

export interface AnthropicEventEncoder extends StreamEventEncoder<AnthropicStreamEvent> {
  /** message_start went out and the answer has not ended: an event relayed now sits inside it. */
  readonly relaying: boolean;
  /** The client's index of canonical block `index` while that block is open; undefined otherwise. */
  openIndexOf(index: number): number | undefined;
}

export function createAnthropicEventEncoder(options: StreamEncoderOptions): AnthropicEventEncoder {
  let started = false;
  let usage: Partial<Usage> = {};
  let stopReason: StopReason | undefined;
  let stopSequence: string | null = null;
  // Usage as message_delta parts reported it (cumulative), sent as they gave it.
  let deltaUsage: Partial<Usage> = {};
  // Canonical index → wire index, assigned in order of block_start; the open ones.
  const wireIndex = new Map<number, number>();
  const open = new Set<number>();

  function start(id: string, startUsage: Partial<Usage> | undefined): AnthropicStreamEvent {
    started = true;
    if (startUsage) usage = { ...usage, ...startUsage };
    return {
      type: 'message_start',
      // Every field the SDK's Message type requires, null until the answer says otherwise.
      message: {
        ...MESSAGE_FIELDS,
        id,
        type: 'message',
        role: 'assistant',
        model: options.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...USAGE_FIELDS, ...encodeUsage({ outputTokens: 0, ...startUsage }) },
      },
    };
  }

  // A block part before message_start would fail the SDK: open the message first.
  const ensureStarted = (): AnthropicStreamEvent[] => (started ? [] : [start('msg_outlast', undefined)]);

  function finish(truncated: boolean): AnthropicStreamEvent[] {
    const out = ensureStarted();
    for (const index of open) out.push({ type: 'content_block_stop', index });
    open.clear();
    const reason = truncated ? 'max_tokens' : encodeStopReason(stopReason ?? 'end_turn');
    // output_tokens is required (the SDK reads it unguarded); input and cache counts only
    // when the upstream repeated them here, as newer API versions do.
    const repeated: Partial<AnthropicUsage> = {};
    if (deltaUsage.inputTokens !== undefined) repeated.input_tokens = deltaUsage.inputTokens;
    if (deltaUsage.cacheWriteTokens !== undefined)
      repeated.cache_creation_input_tokens = deltaUsage.cacheWriteTokens;
    if (deltaUsage.cacheReadTokens !== undefined)
      repeated.cache_read_input_tokens = deltaUsage.cacheReadTokens;
    const wireUsage = { ...repeated, output_tokens: deltaUsage.outputTokens ?? usage.outputTokens ?? 0 };
    out.push({
      type: 'message_delta',
      delta: { ...DELTA_FIELDS, stop_reason: reason, stop_sequence: truncated ? null : stopSequence },
      usage: { ...DELTA_USAGE_FIELDS, ...wireUsage },
    });
    out.push({ type: 'message_stop' });
    return out;
  }

  function blockStart(part: Extract<StreamPart, { type: 'block_start' }>): AnthropicStreamEvent[] {
    const index = wireIndex.size;
    wireIndex.set(part.index, index);
    open.add(index);
    const b = part.block;
    const block: AnthropicContentBlock =
      b.type === 'text'
        ? { type: 'text', text: '' }
        : b.type === 'tool_use'
          ? { type: 'tool_use', id: b.id, name: b.name, input: {} }
          : b.type === 'thinking'
            ? { type: 'thinking', thinking: '', signature: '' }
            : { type: 'redacted_thinking', data: b.data };
    const out = ensureStarted();
    out.push({ type: 'content_block_start', index, content_block: block });
    return out;
  }

  function blockDelta(part: Extract<StreamPart, { type: 'block_delta' }>): AnthropicStreamEvent[] {
    const index = wireIndex.get(part.index);
    if (index === undefined || !open.has(index)) return [];
    const d = part.delta;
    const delta: AnthropicContentDelta =
      d.type === 'text'
        ? { type: 'text_delta', text: d.text }
        : d.type === 'tool_input'
          ? { type: 'input_json_delta', partial_json: d.partialJson }
          : d.type === 'thinking'
            ? { type: 'thinking_delta', thinking: d.thinking }
            : { type: 'signature_delta', signature: d.signature };
    return [{ type: 'content_block_delta', index, delta }];
  }

  const ending = withStreamEnding<AnthropicStreamEvent>((part) => {
    switch (part.type) {
      case 'message_start':
        return started ? [] : [start(part.id, part.usage)];
      case 'block_start':
        return blockStart(part);
      case 'block_delta':
        return blockDelta(part);
      case 'block_stop': {
        const index = wireIndex.get(part.index);
        if (index === undefined || !open.delete(index)) return [];
        return [{ type: 'content_block_stop', index }];
      }
      case 'message_delta':
        if (part.stopReason) stopReason = part.stopReason;
        if (part.stopSequence !== undefined) stopSequence = part.stopSequence;
        if (part.usage) {
          deltaUsage = { ...deltaUsage, ...part.usage };
          usage = { ...usage, ...part.usage };
        }
        return [];
      case 'passthrough':
        // Relayed as text by the SSE encoder (stream-encoder.ts); it has no event object of ours.
        return [];
    }
  }, finish);

  return {
    push: ending.push,
    get finished() {
      return ending.finished;
    },
    get failed() {
      return ending.failed;
    },
    get relaying() {
      return started && !ending.finished && !ending.failed;
    },
    openIndexOf(index) {
      const wire = wireIndex.get(index);
      return wire !== undefined && open.has(wire) ? wire : undefined;
    },
  };
}
