/** finish_reason ↔ canonical stop reason. */
import type { StopReason } from '../canonical/index.ts';

export function decodeFinishReason(reason: string | null | undefined): StopReason {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      // `stop`, and whatever a compatible server invents: the answer ended normally.
      return 'end_turn';
  }
}

export function encodeFinishReason(reason: StopReason): string {
  switch (reason) {
    case 'max_tokens':
    case 'context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence (OpenAI does not report which sequence), pause_turn.
      return 'stop';
  }
}
