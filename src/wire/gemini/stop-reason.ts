import type { StopReason } from '../canonical/index.ts';

// Every way Gemini says "blocked": the canonical refusal (content_filter for OpenAI).
const REFUSALS = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
]);

/** Gemini finishReason → canonical. STOP after a function call is a tool_use turn. */
export function stopReasonOf(finishReason: string | undefined, calledTools: boolean): StopReason {
  if (finishReason === 'MAX_TOKENS') return 'max_tokens';
  if (finishReason !== undefined && REFUSALS.has(finishReason)) return 'refusal';
  // STOP, OTHER, LANGUAGE, MALFORMED_FUNCTION_CALL…: the turn is over; nothing finer exists elsewhere.
  return calledTools ? 'tool_use' : 'end_turn';
}

/** Canonical → Gemini finishReason (Gemini reports a matched stop sequence as STOP). */
export function finishReasonOf(stopReason: StopReason | undefined): string {
  switch (stopReason) {
    case 'max_tokens':
    case 'context_window_exceeded':
      return 'MAX_TOKENS';
    case 'refusal':
      return 'SAFETY';
    default:
      return 'STOP';
  }
}
