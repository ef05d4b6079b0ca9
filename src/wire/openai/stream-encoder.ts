/**
 * Server side: canonical stream parts → Chat Completions SSE, as OpenAI sends it:
 * `data: {chat.completion.chunk}` frames with no `event:` line, the assistant role in the
 * first chunk, `index` on every tool call fragment (the first also with id, type, name and
 * `arguments: ""`), a finish_reason chunk, a usage chunk with `choices: []` when the client
 * asked for usage, then `data: [DONE]`.
 *
 * A salvaged answer (`message_stop` with `truncated`) ends with finish_reason `length`: the
 * one standard value every OpenAI client already reads as "the answer was cut short".
 */
import type { JsonObject, StopReason, StreamPart, Usage } from '../canonical/index.ts';
import type { StreamEncoder, StreamEncoderOptions } from '../codec.ts';
import { formatSse, formatSseComment } from '../shared/index.ts';
import { encodeOpenaiStreamError } from './errors.ts';
import { encodeFinishReason } from './stop-reason.ts';
import { encodeUsage } from './usage.ts';

export interface OpenaiStreamEncoderOptions extends StreamEncoderOptions {
  /** Unix seconds for `created`; defaults to now (tests pin it). */
  created?: number;
}

export function createOpenaiStreamEncoder(options: OpenaiStreamEncoderOptions): StreamEncoder {
  const created = options.created ?? Math.floor(Date.now() / 1000);
  let id = 'chatcmpl-outlast';
  let roleSent = false;
  let stopReason: StopReason | undefined;
  let usage: Partial<Usage> = {};
  let finished = false;
  let failed = false;
  // Canonical block index → OpenAI tool call index (0, 1, … in order of appearance).
  const toolIndex = new Map<number, number>();

  function chunk(choices: JsonObject[], extra: JsonObject = {}): string {
    const body: JsonObject = {
      id,
      object: 'chat.completion.chunk',
      created,
      model: options.model,
      choices,
      ...extra,
    };
    if (options.includeUsage && !('usage' in extra)) body.usage = null;
    return formatSse(JSON.stringify(body));
  }

  function delta(fields: JsonObject, finishReason: string | null = null): string {
    // The role rides on the first chunk, as OpenAI sends it.
    const d: JsonObject = roleSent ? fields : { role: 'assistant', ...fields };
    roleSent = true;
    return chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finishReason }]);
  }

  // The frame of a one-field delta (a token of text or reasoning), around its value: the bytes
  // `delta({ [field]: value })` gives, with only the value stringified per token. Rebuilt when
  // the id changes.
  let frameFor: string | undefined;
  let framePrefix = '';
  const frameSuffix = `},"logprobs":null,"finish_reason":null}]${options.includeUsage ? ',"usage":null' : ''}}\n\n`;
  function textDelta(field: 'content' | 'reasoning_content', value: string): string {
    if (!roleSent || typeof options.model !== 'string') return delta({ [field]: value });
    if (frameFor !== id) {
      frameFor = id;
      framePrefix = `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${JSON.stringify(created)},"model":${JSON.stringify(options.model)},"choices":[{"index":0,"delta":{"`;
    }
    return `${framePrefix}${field}":${JSON.stringify(value)}${frameSuffix}`;
  }

  function finish(truncated: boolean): string {
    let out = roleSent ? '' : delta({ content: '', refusal: null });
    const reason = truncated ? 'length' : encodeFinishReason(stopReason ?? 'end_turn');
    out += chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: reason }]);
    if (options.includeUsage) out += chunk([], { usage: encodeUsage(usage) });
    return out;
  }

  return {
    encode(part: StreamPart): string {
      if (finished || failed) return '';
      switch (part.type) {
        case 'message_start':
          id = part.id;
          if (part.usage) usage = { ...usage, ...part.usage };
          return '';
        case 'block_start': {
          const block = part.block;
          if (block.type === 'tool_use') {
            const index = toolIndex.size;
            toolIndex.set(part.index, index);
            const call = {
              index,
              id: block.id,
              type: 'function',
              function: { name: block.name, arguments: '' },
            };
            return delta(roleSent ? { tool_calls: [call] } : { content: null, tool_calls: [call] });
          }
          // A text block opens with the role chunk OpenAI sends first: empty content, no refusal.
          if (block.type === 'text' && !roleSent) return delta({ content: '', refusal: null });
          return '';
        }
        case 'block_delta': {
          const d = part.delta;
          if (d.type === 'text') return d.text === '' ? '' : textDelta('content', d.text);
          if (d.type === 'thinking')
            return d.thinking === '' ? '' : textDelta('reasoning_content', d.thinking);
          if (d.type === 'tool_input') {
            const index = toolIndex.get(part.index);
            if (index === undefined || d.partialJson === '') return '';
            return delta({ tool_calls: [{ index, function: { arguments: d.partialJson } }] });
          }
          // Signatures have no OpenAI form.
          return '';
        }
        case 'block_stop':
          return '';
        case 'message_delta':
          if (part.stopReason) stopReason = part.stopReason;
          if (part.usage) usage = { ...usage, ...part.usage };
          return '';
        case 'message_stop':
          finished = true;
          return finish(part.truncated === true);
        case 'error':
          failed = true;
          return encodeOpenaiStreamError(part.error);
      }
    },
    // `[DONE]` only after a whole answer: after an error the stream must not look finished.
    end: () => (finished ? formatSse('[DONE]') : ''),
    keepAlive: () => formatSseComment('keep-alive'),
  };
}
