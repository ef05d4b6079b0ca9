/** Canonical stream parts → OpenAI `chat.completion.chunk` objects, as `stream: true` yields them. */
import type { StopReason, StreamPart, Usage } from '../wire/canonical/index.ts';
import type { ChatCompletionChunk, OpenAIUsage } from './types.ts';

const FINISH: Readonly<Record<StopReason, string>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
  pause_turn: 'stop',
  context_window_exceeded: 'length',
};

export function openaiFinishReason(reason: StopReason): string {
  return FINISH[reason];
}

export function openaiUsage(u: Partial<Usage>): OpenAIUsage {
  const prompt = (u.inputTokens ?? 0) + (u.cacheReadTokens ?? 0) + (u.cacheWriteTokens ?? 0);
  const completion = u.outputTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...(u.cacheReadTokens === undefined
      ? {}
      : { prompt_tokens_details: { cached_tokens: u.cacheReadTokens } }),
    ...(u.reasoningTokens === undefined
      ? {}
      : { completion_tokens_details: { reasoning_tokens: u.reasoningTokens } }),
  };
}

/**
 * A stateful mapper for one answer: OpenAI numbers tool calls among themselves, not among all
 * blocks, and sends usage in a last chunk with no choices when asked for.
 */
export function createChunkMapper(options: { includeUsage: boolean; created: number }) {
  let id = 'chatcmpl-outlast';
  let model = '';
  const toolIndex = new Map<number, number>();
  let usage: Partial<Usage> = {};
  const chunk = (
    delta: ChatCompletionChunk['choices'][number]['delta'],
    finish: string | null = null,
  ): ChatCompletionChunk => ({
    id,
    object: 'chat.completion.chunk',
    created: options.created,
    model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    ...(options.includeUsage ? { usage: null } : {}),
  });
  return (part: StreamPart): ChatCompletionChunk[] => {
    switch (part.type) {
      case 'message_start':
        id = part.id.startsWith('chatcmpl-') ? part.id : `chatcmpl-${part.id}`;
        model = part.model;
        usage = { ...part.usage };
        return [chunk({ role: 'assistant', content: '' })];
      case 'block_start':
        if (part.block.type !== 'tool_use') return [];
        toolIndex.set(part.index, toolIndex.size);
        return [
          chunk({
            tool_calls: [
              {
                index: toolIndex.get(part.index)!,
                id: part.block.id,
                type: 'function',
                function: { name: part.block.name, arguments: '' },
              },
            ],
          }),
        ];
      case 'block_delta': {
        const d = part.delta;
        if (d.type === 'text') return d.text ? [chunk({ content: d.text })] : [];
        if (d.type === 'tool_input') {
          const index = toolIndex.get(part.index);
          if (index === undefined) return [];
          return [chunk({ tool_calls: [{ index, function: { arguments: d.partialJson } }] })];
        }
        return [];
      }
      case 'message_delta': {
        usage = { ...usage, ...part.usage };
        return part.stopReason ? [chunk({}, FINISH[part.stopReason])] : [];
      }
      case 'message_stop':
        if (!options.includeUsage) return [];
        return [
          {
            id,
            object: 'chat.completion.chunk',
            created: options.created,
            model,
            choices: [],
            usage: openaiUsage(usage),
          },
        ];
      default:
        return [];
    }
  };
}
