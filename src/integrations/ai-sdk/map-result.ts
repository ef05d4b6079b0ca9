/** Canonical stop reasons, usage and the engine's trace → the spec's finish reason, usage and provider metadata. */
import type { JSONObject, LanguageModelV4FinishReason, LanguageModelV4Usage } from '@ai-sdk/provider';
import type { Trace } from '../../engine/index.ts';
import type { StopReason, Usage } from '../../wire/canonical/index.ts';

export type SpecVersion = 'v3' | 'v4';

const UNIFIED: Readonly<Record<StopReason, LanguageModelV4FinishReason['unified']>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  // The model ran out of context window mid-answer: the answer is cut by a length, as with max_tokens.
  context_window_exceeded: 'length',
  tool_use: 'tool-calls',
  refusal: 'content-filter',
  pause_turn: 'other',
};

/**
 * `raw` is the canonical stop reason (Anthropic's names), whichever provider answered: the
 * provider's own word is translated by the codec before outlast sees it. An answer salvaged
 * short (`stream.onInterrupt: 'salvage'`) is `interrupted` in v4, `other` in v3, which has no such reason.
 */
export function finishReasonOf(
  stopReason: StopReason | undefined,
  truncated: boolean,
  version: SpecVersion,
): LanguageModelV4FinishReason {
  if (truncated) return { unified: version === 'v4' ? 'interrupted' : 'other', raw: 'truncated' };
  if (stopReason === undefined) return { unified: 'other', raw: undefined };
  return { unified: UNIFIED[stopReason], raw: stopReason };
}

/** Canonical input excludes cache reads and writes (as Anthropic counts); the spec's total includes them. */
export function usageOf(usage: Partial<Usage> | undefined): LanguageModelV4Usage {
  if (!usage) {
    return {
      inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: undefined, text: undefined, reasoning: undefined },
    };
  }
  const noCache = usage.inputTokens;
  const { cacheReadTokens: cacheRead, cacheWriteTokens: cacheWrite, reasoningTokens: reasoning } = usage;
  const total =
    noCache === undefined && cacheRead === undefined && cacheWrite === undefined
      ? undefined
      : (noCache ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0);
  const output = usage.outputTokens;
  const raw: JSONObject = {};
  for (const [key, value] of Object.entries(usage)) if (value !== undefined) raw[key] = value;
  return {
    inputTokens: { total, noCache, cacheRead, cacheWrite },
    outputTokens: {
      total: output,
      // Canonical output tokens include reasoning; the text share is known only when reasoning is.
      text: output !== undefined && reasoning !== undefined ? output - reasoning : undefined,
      reasoning,
    },
    raw,
  };
}

/** The trace as JSON for `providerMetadata.outlast`: what happened on the way to this answer. */
export function traceMetadata(trace: Trace): JSONObject {
  const out: JSONObject = {
    requestId: trace.requestId,
    outcome: trace.outcome,
    attempts: trace.attempts.map((a) => {
      const entry: JSONObject = {
        provider: a.provider,
        model: a.model,
        outcome: a.outcome,
        durationMs: a.durationMs,
        waitedMs: a.waitedMs,
      };
      if (a.errorKind !== undefined) entry.errorKind = a.errorKind;
      if (a.status !== undefined) entry.status = a.status;
      if (a.ttftMs !== undefined) entry.ttftMs = a.ttftMs;
      if (a.continuation) entry.continuation = true;
      if (a.wastedOutputTokens) entry.wastedOutputTokens = a.wastedOutputTokens;
      if (a.error) entry.message = a.error.message;
      return entry;
    }),
    retries: trace.retries,
    fallbacks: trace.fallbacks,
    continued: trace.continued,
    wastedOutputTokens: trace.wastedOutputTokens,
    durationMs: trace.durationMs,
    breakerSkips: trace.breakerSkips.map((s) => ({ provider: s.provider, model: s.model, reason: s.reason })),
  };
  if (trace.answeredBy)
    out.answeredBy = { provider: trace.answeredBy.provider, model: trace.answeredBy.model };
  return out;
}
