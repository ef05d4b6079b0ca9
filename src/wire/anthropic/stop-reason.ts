/** stop_reason ↔ canonical. Only `model_context_window_exceeded` is renamed. */
import type { StopReason } from '../canonical/index.ts';

const KNOWN: readonly string[] = [
  'end_turn',
  'max_tokens',
  'stop_sequence',
  'tool_use',
  'refusal',
  'pause_turn',
];

/** An unknown future reason reads as `end_turn` (the answer ended); the caller keeps the raw value. */
export function decodeStopReason(reason: string | null | undefined): StopReason {
  if (reason === 'model_context_window_exceeded') return 'context_window_exceeded';
  return reason && KNOWN.includes(reason) ? (reason as StopReason) : 'end_turn';
}

export function encodeStopReason(reason: StopReason): string {
  return reason === 'context_window_exceeded' ? 'model_context_window_exceeded' : reason;
}

/** Whether decoding `reason` loses what it said (an unknown value). */
export function isUnknownStopReason(reason: string | null | undefined): reason is string {
  return typeof reason === 'string' && decodeStopReason(reason) === 'end_turn' && reason !== 'end_turn';
}
