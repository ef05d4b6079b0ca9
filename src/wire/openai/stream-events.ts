/**
 * Server side: canonical stream parts → Chat Completions `chat.completion.chunk` objects, as
 * OpenAI streams them: the assistant role in the first chunk, `index` on every tool call
 * fragment (the first also with id, type, name and `arguments: ""`), reasoning as
 * `reasoning_content` (DeepSeek-style servers' field, which SDKs pass through), a
 * finish_reason chunk, and a usage chunk with `choices: []` when the client asked for usage.
 *
 * A salvaged answer (`message_stop` with `truncated`) ends with finish_reason `length`: the
 * one standard value every OpenAI client already reads as "the answer was cut short".
 */
import type { StopReason, Usage } from '../canonical/index.ts';
import type { StreamEncoderOptions, StreamEventEncoder } from '../codec.ts';
import { withStreamEnding } from '../shared/stream-ending.ts';
import type { ChatCompletionChunk, ChatCompletionChunkDelta, OpenAIUsage } from './sdk-types.ts';
import { encodeFinishReason } from './stop-reason.ts';
import { encodeUsage } from './usage.ts';

export interface OpenaiStreamEncoderOptions extends StreamEncoderOptions {
  /** Unix seconds for `created`; defaults to now (tests pin it). */
  created?: number;
}

export interface OpenaiEventEncoder extends StreamEventEncoder<ChatCompletionChunk> {
  /** The chunk id so far (the upstream's, from `message_start`). */
  readonly id: string;
  /** Unix seconds every chunk carries. */
  readonly created: number;
  /** Whether the role chunk went out: from then on a token is a one-field delta. */
  readonly roleSent: boolean;
}

export function createOpenaiEventEncoder(options: OpenaiStreamEncoderOptions): OpenaiEventEncoder {
  const created = options.created ?? Math.floor(Date.now() / 1000);
  let id = 'chatcmpl-outlast';
  let roleSent = false;
  let stopReason: StopReason | undefined;
  let usage: Partial<Usage> = {};
  // Canonical block index → OpenAI tool call index (0, 1, … in order of appearance).
  const toolIndex = new Map<number, number>();

  function chunk(choices: ChatCompletionChunk['choices'], usageField?: OpenAIUsage): ChatCompletionChunk {
    const body: ChatCompletionChunk = {
      id,
      object: 'chat.completion.chunk',
      created,
      model: options.model,
      choices,
    };
    if (usageField) body.usage = usageField;
    else if (options.includeUsage) body.usage = null;
    return body;
  }

  function delta(fields: ChatCompletionChunkDelta, finishReason: string | null = null): ChatCompletionChunk {
    // The role rides on the first chunk, as OpenAI sends it.
    const d: ChatCompletionChunkDelta = roleSent ? fields : { role: 'assistant', ...fields };
    roleSent = true;
    return chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finishReason }]);
  }

  function finish(truncated: boolean): ChatCompletionChunk[] {
    const out = roleSent ? [] : [delta({ content: '', refusal: null })];
    const reason = truncated ? 'length' : encodeFinishReason(stopReason ?? 'end_turn');
    out.push(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: reason }]));
    if (options.includeUsage) out.push(chunk([], encodeUsage(usage)));
    return out;
  }

  const ending = withStreamEnding<ChatCompletionChunk>((part) => {
    switch (part.type) {
      case 'message_start':
        id = part.id;
        if (part.usage) usage = { ...usage, ...part.usage };
        return [];
      case 'block_start': {
        const block = part.block;
        if (block.type === 'tool_use') {
          const index = toolIndex.size;
          toolIndex.set(part.index, index);
          const call = {
            index,
            id: block.id,
            type: 'function' as const,
            function: { name: block.name, arguments: '' },
          };
          return [delta(roleSent ? { tool_calls: [call] } : { content: null, tool_calls: [call] })];
        }
        // A text block opens with the role chunk OpenAI sends first: empty content, no refusal.
        if (block.type === 'text' && !roleSent) return [delta({ content: '', refusal: null })];
        return [];
      }
      case 'block_delta': {
        const d = part.delta;
        if (d.type === 'text') return d.text === '' ? [] : [delta({ content: d.text })];
        if (d.type === 'thinking') return d.thinking === '' ? [] : [delta({ reasoning_content: d.thinking })];
        if (d.type === 'tool_input') {
          const index = toolIndex.get(part.index);
          if (index === undefined || d.partialJson === '') return [];
          return [delta({ tool_calls: [{ index, function: { arguments: d.partialJson } }] })];
        }
        // Signatures have no OpenAI form.
        return [];
      }
      case 'block_stop':
      case 'passthrough':
        return [];
      case 'message_delta':
        if (part.stopReason) stopReason = part.stopReason;
        if (part.usage) usage = { ...usage, ...part.usage };
        return [];
    }
  }, finish);

  return {
    get id() {
      return id;
    },
    created,
    get roleSent() {
      return roleSent;
    },
    get finished() {
      return ending.finished;
    },
    get failed() {
      return ending.failed;
    },
    push: ending.push,
  };
}
