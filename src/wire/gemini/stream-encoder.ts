/**
 * Canonical parts → Gemini SSE frames, as streamGenerateContent?alt=sse sends them: every
 * frame a whole GenerateContentResponse (`data:` only, no event names, no `[DONE]`), text and
 * thoughts as they come, each function call whole once its arguments are complete, and the
 * last frame carrying finishReason and the full usageMetadata.
 *
 * A truncated answer (`message_stop` with `truncated`) ends with finishReason `OTHER` and a
 * finishMessage saying it was cut short: Gemini's own way of saying "not a normal stop", which
 * no client reads as STOP.
 */
import type { StopReason, StreamPart, Usage } from '../canonical/index.ts';
import type { StreamEncoder, StreamEncoderOptions } from '../codec.ts';
import { formatSse, formatSseComment } from '../shared/index.ts';
import { encodeStreamError, invalidResponse } from './errors.ts';
import type { GeminiPart } from './schemas.ts';
import { finishReasonOf } from './stop-reason.ts';
import { promptTokensOf, usageMetadataOf } from './usage.ts';

export const TRUNCATED_FINISH_MESSAGE =
  'outlast: the upstream answer was cut short and could not be continued; this text is incomplete';

export function createStreamEncoder(options: StreamEncoderOptions): StreamEncoder {
  let responseId = '';
  let startUsage: Partial<Usage> | undefined;
  let stopReason: StopReason | undefined;
  let finalUsage: Partial<Usage> | undefined;
  let pendingSignature: string | undefined;
  let finished = false;
  // Function calls completed but not yet sent: they ride on the next frame, as Gemini batches them.
  let pending: GeminiPart[] = [];
  const tools = new Map<number, { name: string; json: string }>();

  const promptUsage = (): Record<string, number> | undefined => {
    if (!startUsage) return undefined;
    const prompt = promptTokensOf(startUsage);
    return {
      promptTokenCount: prompt,
      totalTokenCount: prompt,
      ...(startUsage.cacheReadTokens === undefined
        ? {}
        : { cachedContentTokenCount: startUsage.cacheReadTokens }),
    };
  };

  const frame = (parts: GeminiPart[], finish?: Record<string, unknown>): string => {
    const usageMetadata = finish ? usageMetadataOf({ ...startUsage, ...finalUsage }) : promptUsage();
    const body = {
      candidates: [{ content: { parts, role: 'model' }, ...finish, index: 0 }],
      ...(usageMetadata ? { usageMetadata } : {}),
      modelVersion: options.model,
      responseId,
    };
    return formatSse(JSON.stringify(body));
  };

  const withSignature = (part: GeminiPart): GeminiPart => {
    if (pendingSignature === undefined) return part;
    const signed = { ...part, thoughtSignature: pendingSignature };
    pendingSignature = undefined;
    return signed;
  };

  const send = (part: GeminiPart): string => {
    const parts = [...pending, withSignature(part)];
    pending = [];
    return frame(parts);
  };

  return {
    encode(part: StreamPart): string {
      if (finished) return '';
      switch (part.type) {
        case 'message_start':
          responseId = part.id;
          startUsage = part.usage;
          return '';
        case 'block_start':
          if (part.block.type === 'tool_use') tools.set(part.index, { name: part.block.name, json: '' });
          return '';
        case 'block_delta': {
          const d = part.delta;
          if (d.type === 'tool_input') {
            const tool = tools.get(part.index);
            if (tool) tool.json += d.partialJson;
            return '';
          }
          if (d.type === 'signature') {
            pendingSignature = d.signature;
            return '';
          }
          if (d.type === 'text') return d.text === '' ? '' : send({ text: d.text });
          return d.thinking === '' ? '' : frame([...pending.splice(0), { text: d.thinking, thought: true }]);
        }
        case 'block_stop': {
          const tool = tools.get(part.index);
          if (!tool) return '';
          tools.delete(part.index);
          let args: unknown;
          try {
            args = tool.json.trim() === '' ? {} : JSON.parse(tool.json);
          } catch (cause) {
            throw invalidResponse(`tool call ${tool.name} ended with arguments that are not JSON`, cause);
          }
          pending.push(withSignature({ functionCall: { name: tool.name, args } } as GeminiPart));
          return '';
        }
        case 'message_delta':
          if (part.stopReason !== undefined) stopReason = part.stopReason;
          if (part.usage) finalUsage = { ...finalUsage, ...part.usage };
          return '';
        case 'message_stop': {
          finished = true;
          const parts = pending.length > 0 ? pending : [withSignature({ text: '' })];
          pending = [];
          if (pendingSignature !== undefined) parts.push({ text: '', thoughtSignature: pendingSignature });
          const finish = part.truncated
            ? { finishReason: 'OTHER', finishMessage: TRUNCATED_FINISH_MESSAGE }
            : { finishReason: finishReasonOf(stopReason) };
          return frame(parts, finish);
        }
        case 'error':
          finished = true;
          return encodeStreamError(part.error);
        case 'verbatim':
        case 'passthrough':
          // Another format's event: nothing of it can be said in Gemini's.
          return '';
      }
    },
    end(): string {
      return '';
    },
    keepAlive(): string {
      // @google/genai reads only `data:` events: a comment keeps proxies awake and is skipped.
      return formatSseComment();
    },
  };
}
