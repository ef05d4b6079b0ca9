/**
 * An answer plan as the canonical model carries it: the stream parts of a streamed answer
 * (each content delta marked as a token, which is what fault positions count) and the
 * response of a non-streamed one.
 */
import type { CanonicalResponse, ContentBlock, StreamPart } from '../wire/canonical/index.ts';
import type { AnswerPlan } from './answer-plan.ts';

export interface TimedPart {
  part: StreamPart;
  /** A content delta: counts as one token for latency and fault positions. */
  token: boolean;
}

export function planToParts(plan: AnswerPlan, ids: { id: string; model: string }): TimedPart[] {
  const parts: TimedPart[] = [];
  const push = (part: StreamPart, token = false) => parts.push({ part, token });
  push({
    type: 'message_start',
    id: ids.id,
    model: ids.model,
    usage: { inputTokens: plan.inputTokens, outputTokens: 1 },
  });
  plan.blocks.forEach((block, index) => {
    switch (block.type) {
      case 'text':
        push({ type: 'block_start', index, block: { type: 'text' } });
        for (const text of block.tokens)
          push({ type: 'block_delta', index, delta: { type: 'text', text } }, true);
        break;
      case 'thinking':
        push({ type: 'block_start', index, block: { type: 'thinking' } });
        for (const thinking of block.tokens)
          push({ type: 'block_delta', index, delta: { type: 'thinking', thinking } }, true);
        push({ type: 'block_delta', index, delta: { type: 'signature', signature: block.signature } });
        break;
      case 'tool_use':
        push({ type: 'block_start', index, block: { type: 'tool_use', id: block.id, name: block.name } });
        for (const partialJson of block.chunks)
          push(
            { type: 'block_delta', index, delta: { type: 'tool_input', partialJson } },
            partialJson !== '',
          );
        break;
    }
    push({ type: 'block_stop', index });
  });
  push({
    type: 'message_delta',
    stopReason: plan.stopReason,
    stopSequence: plan.stopSequence,
    usage: { inputTokens: plan.inputTokens, outputTokens: plan.outputTokens },
  });
  push({ type: 'message_stop' });
  return parts;
}

export function planToResponse(plan: AnswerPlan, ids: { id: string; model: string }): CanonicalResponse {
  const content: ContentBlock[] = plan.blocks.map((block): ContentBlock => {
    if (block.type === 'text') return { type: 'text', text: block.tokens.join('') };
    if (block.type === 'thinking')
      return { type: 'thinking', thinking: block.tokens.join(''), signature: block.signature };
    return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
  });
  return {
    id: ids.id,
    model: ids.model,
    content,
    stopReason: plan.stopReason,
    stopSequence: plan.stopSequence,
    usage: { inputTokens: plan.inputTokens, outputTokens: plan.outputTokens },
  };
}
