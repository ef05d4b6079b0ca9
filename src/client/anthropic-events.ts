/** Canonical stream parts → Anthropic stream event objects, as `messages.stream()` yields them. */
import type { StopReason, StreamPart, Usage } from '../wire/canonical/index.ts';
import type { AnthropicStreamEvent, AnthropicUsage } from './types.ts';

const STOP: Readonly<Record<StopReason, string>> = {
  end_turn: 'end_turn',
  max_tokens: 'max_tokens',
  stop_sequence: 'stop_sequence',
  tool_use: 'tool_use',
  refusal: 'refusal',
  pause_turn: 'pause_turn',
  context_window_exceeded: 'model_context_window_exceeded',
};

export function anthropicUsage(u: Partial<Usage> | undefined): AnthropicUsage {
  return {
    input_tokens: u?.inputTokens ?? 0,
    output_tokens: u?.outputTokens ?? 0,
    cache_creation_input_tokens: u?.cacheWriteTokens ?? null,
    cache_read_input_tokens: u?.cacheReadTokens ?? null,
  };
}

export function anthropicStopReason(reason: StopReason): string {
  return STOP[reason];
}

/** One event per part; `error` parts have no event (the iteration throws instead). */
export function toAnthropicEvent(part: StreamPart): AnthropicStreamEvent | undefined {
  switch (part.type) {
    case 'message_start':
      return {
        type: 'message_start',
        message: {
          id: part.id,
          type: 'message',
          role: 'assistant',
          model: part.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: anthropicUsage(part.usage),
        },
      };
    case 'block_start': {
      const b = part.block;
      const content_block =
        b.type === 'text'
          ? { type: 'text' as const, text: '' }
          : b.type === 'tool_use'
            ? { type: 'tool_use' as const, id: b.id, name: b.name, input: {} }
            : b.type === 'thinking'
              ? { type: 'thinking' as const, thinking: '', signature: '' }
              : { type: 'redacted_thinking' as const, data: b.data };
      return { type: 'content_block_start', index: part.index, content_block };
    }
    case 'block_delta': {
      const d = part.delta;
      const delta =
        d.type === 'text'
          ? { type: 'text_delta' as const, text: d.text }
          : d.type === 'tool_input'
            ? { type: 'input_json_delta' as const, partial_json: d.partialJson }
            : d.type === 'thinking'
              ? { type: 'thinking_delta' as const, thinking: d.thinking }
              : { type: 'signature_delta' as const, signature: d.signature };
      return { type: 'content_block_delta', index: part.index, delta };
    }
    case 'block_stop':
      return { type: 'content_block_stop', index: part.index };
    case 'message_delta': {
      const u = anthropicUsage(part.usage);
      return {
        type: 'message_delta',
        delta: {
          stop_reason: part.stopReason ? STOP[part.stopReason] : null,
          stop_sequence: part.stopSequence ?? null,
        },
        usage: { ...u, output_tokens: u.output_tokens },
      };
    }
    case 'message_stop':
      return { type: 'message_stop' };
    case 'error':
      return undefined;
  }
}
