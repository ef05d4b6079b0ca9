/**
 * Gemini SSE (`streamGenerateContent?alt=sse`) → canonical parts. Every frame is a whole
 * GenerateContentResponse holding the next parts; there are no block events and no `[DONE]`.
 * The decoder synthesises message_start, block start/delta/stop, and treats the frame with a
 * finishReason (or a blocked prompt) as the terminal one.
 */

import { OutlastError } from '../../errors/index.ts';
import { describeFirstIssue } from '../../errors/zod-issues.ts';
import type { StreamPart, Usage } from '../canonical/index.ts';
import type { SseEvent, StreamDecoder } from '../codec.ts';
import { shortHash } from './call-ids.ts';
import { decodeStreamErrorFrame, invalidResponse } from './errors.ts';
import { fitsResponseSchema } from './frame-guard.ts';
import { createResponseCallIds } from './response.ts';
import { type GeminiPart, type GeminiResponse, responseSchema } from './schemas.ts';
import { stopReasonOf } from './stop-reason.ts';
import { usageOf } from './usage.ts';

type OpenKind = 'text' | 'thinking';

export function createStreamDecoder(): StreamDecoder {
  let started = false;
  let complete = false;
  let frames = 0;
  let nextIndex = 0;
  let open: { index: number; kind: OpenKind; signed: boolean } | undefined;
  let calledTools = false;
  let callId: ((call: { id?: string }) => string) | undefined;
  let lastUsage: Usage | undefined;

  const close = (out: StreamPart[]): void => {
    if (open) out.push({ type: 'block_stop', index: open.index });
    open = undefined;
  };
  const openBlock = (out: StreamPart[], kind: OpenKind): number => {
    // A signature ends a thinking block: thoughts after it start another.
    if (open?.kind === kind && !open.signed) return open.index;
    close(out);
    open = { index: nextIndex++, kind, signed: false };
    out.push({ type: 'block_start', index: open.index, block: { type: kind } });
    return open.index;
  };
  // Same rule as the non-stream decoder: a signature on a non-thought part belongs to the thinking before it.
  const sign = (out: StreamPart[], signature: string): void => {
    const index = openBlock(out, 'thinking');
    out.push({ type: 'block_delta', index, delta: { type: 'signature', signature } });
    if (open) open.signed = true;
  };

  const pushPart = (out: StreamPart[], part: GeminiPart, frame: GeminiResponse): void => {
    if (part.thought === true) {
      const index = openBlock(out, 'thinking');
      if (part.text)
        out.push({ type: 'block_delta', index, delta: { type: 'thinking', thinking: part.text } });
      if (part.thoughtSignature !== undefined) sign(out, part.thoughtSignature);
      return;
    }
    if (part.thoughtSignature !== undefined) sign(out, part.thoughtSignature);
    if (part.functionCall) {
      close(out);
      callId ??= createResponseCallIds(frame.responseId ?? JSON.stringify(part.functionCall));
      const index = nextIndex++;
      const { name, args = {} } = part.functionCall;
      calledTools = true;
      out.push({
        type: 'block_start',
        index,
        block: { type: 'tool_use', id: callId(part.functionCall), name },
      });
      // Gemini sends a call whole: its arguments are one delta.
      out.push({
        type: 'block_delta',
        index,
        delta: { type: 'tool_input', partialJson: JSON.stringify(args) },
      });
      out.push({ type: 'block_stop', index });
      return;
    }
    if (part.text !== undefined) {
      // The closing frame often carries `text: ""`: no block for nothing.
      if (part.text === '') return;
      const index = openBlock(out, 'text');
      out.push({ type: 'block_delta', index, delta: { type: 'text', text: part.text } });
      return;
    }
    if (part.thoughtSignature === undefined)
      throw invalidResponse(
        `stream part that cannot be translated: ${Object.keys(part).join(', ') || 'empty'}`,
      );
  };

  return {
    get complete() {
      return complete;
    },
    push(event: SseEvent): StreamPart[] {
      const data = event.data.trim();
      if (data === '' || data === '[DONE]') return [];
      let json: unknown;
      try {
        json = JSON.parse(data);
      } catch (cause) {
        throw invalidResponse(`stream frame is not JSON: ${data.slice(0, 80)}`, cause);
      }
      const inBand = decodeStreamErrorFrame(json);
      if (inBand) return [{ type: 'error', error: inBand }];
      let frame: GeminiResponse;
      if (fitsResponseSchema(json)) frame = json as GeminiResponse;
      else {
        const parsed = responseSchema.safeParse(json);
        if (!parsed.success)
          throw invalidResponse(
            `stream frame is not a GenerateContentResponse (${describeFirstIssue(parsed.error)})`,
          );
        frame = parsed.data;
      }
      // Frames after the finish (none are expected) would restart nothing.
      if (complete) return [];
      frames++;
      const out: StreamPart[] = [];
      if (frame.usageMetadata) lastUsage = usageOf(frame.usageMetadata);
      if (!started) {
        started = true;
        const usage = frame.usageMetadata ? usageOf(frame.usageMetadata) : undefined;
        out.push({
          type: 'message_start',
          id: frame.responseId ?? `gemini_${shortHash(data)}`,
          model: frame.modelVersion ?? '',
          ...(usage
            ? {
                usage: {
                  inputTokens: usage.inputTokens,
                  ...(usage.cacheReadTokens === undefined ? {} : { cacheReadTokens: usage.cacheReadTokens }),
                },
              }
            : {}),
        });
      }
      const candidate = frame.candidates?.[0];
      for (const part of candidate?.content?.parts ?? []) pushPart(out, part, frame);
      const finish = candidate?.finishReason ?? (frame.promptFeedback?.blockReason ? 'SAFETY' : undefined);
      if (finish !== undefined) {
        close(out);
        out.push({
          type: 'message_delta',
          stopReason: stopReasonOf(finish, calledTools),
          ...(lastUsage ? { usage: lastUsage } : {}),
        });
        out.push({ type: 'message_stop' });
        complete = true;
      }
      return out;
    },
    end(): StreamPart[] {
      if (complete) return [];
      throw new OutlastError({
        kind: 'stream_interrupted',
        message:
          frames === 0
            ? 'gemini stream ended before any frame arrived'
            : `gemini stream ended after ${frames} frame(s) and ${nextIndex} block(s) without a finishReason`,
        provider: 'gemini',
      });
    },
  };
}
