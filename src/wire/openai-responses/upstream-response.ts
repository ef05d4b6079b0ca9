/**
 * Client side: a Responses API upstream's `Response` object → canonical (what the engine
 * reads: text, function calls, reasoning summaries, stop reason, usage), the object itself
 * kept as `verbatim` for a Responses API caller, who gets it unchanged.
 */
import type { CanonicalResponse, ContentBlock, JsonObject } from '../canonical/index.ts';
import { isJsonObject } from '../shared/passthrough.ts';
import { invalidResponseFrom } from '../shared/validate.ts';
import { decodeResponsesUsage } from './upstream-usage.ts';

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function blocksOf(item: JsonObject): ContentBlock[] {
  switch (item.type) {
    case 'message':
      return list(item.content).flatMap((part): ContentBlock[] =>
        isJsonObject(part) && (part.type === 'output_text' || part.type === 'refusal')
          ? [{ type: 'text', text: str(part.text ?? part.refusal) }]
          : [],
      );
    case 'function_call': {
      let input: JsonObject = {};
      try {
        const parsed: unknown = JSON.parse(str(item.arguments) || '{}');
        if (isJsonObject(parsed)) input = parsed;
      } catch {
        // Arguments that are not JSON stay in the verbatim Response, which is what the caller gets.
      }
      return [{ type: 'tool_use', id: str(item.call_id), name: str(item.name), input }];
    }
    case 'reasoning': {
      const text = list(item.summary)
        .map((part) => (isJsonObject(part) ? str(part.text) : ''))
        .join('\n\n');
      return text === '' ? [] : [{ type: 'thinking', thinking: text }];
    }
    default:
      return [];
  }
}

export function decodeResponsesUpstreamResponse(body: unknown): CanonicalResponse {
  if (!isJsonObject(body) || body.object !== 'response' || !Array.isArray(body.output))
    throw invalidResponseFrom('openai', 'a Responses API answer that is not a Response object');
  const output = body.output.filter(isJsonObject);
  const details = isJsonObject(body.incomplete_details) ? body.incomplete_details : undefined;
  return {
    id: str(body.id),
    model: str(body.model),
    content: output.flatMap(blocksOf),
    stopReason:
      body.status === 'incomplete'
        ? details?.reason === 'content_filter'
          ? 'refusal'
          : 'max_tokens'
        : output.some((item) => item.type === 'function_call')
          ? 'tool_use'
          : 'end_turn',
    usage: decodeResponsesUsage(body.usage) ?? { inputTokens: 0, outputTokens: 0 },
    verbatim: { dialect: 'openai-responses', body },
  };
}
