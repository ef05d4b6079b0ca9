/**
 * Server side: canonical stream parts → Chat Completions SSE: the chunk objects of
 * stream-events.ts framed as `data: {chat.completion.chunk}` (no `event:` line), then
 * `data: [DONE]` after a whole answer.
 *
 * A token of text or reasoning after the role chunk is the hot path of the gateway's relay:
 * its frame is built once per id around the value, so only the value is stringified per
 * token. The bytes are those of framing the event object (stream.test.ts checks both ways).
 */
import type { StreamPart } from '../canonical/index.ts';
import type { StreamEncoder } from '../codec.ts';
import { formatSse, formatSseComment } from '../shared/index.ts';
import { framePart } from '../shared/stream-ending.ts';
import { encodeOpenaiStreamError } from './errors.ts';
import type { ChatCompletionChunk } from './sdk-types.ts';
import { createOpenaiEventEncoder, type OpenaiStreamEncoderOptions } from './stream-events.ts';

export type { OpenaiStreamEncoderOptions } from './stream-events.ts';

const frame = (chunk: ChatCompletionChunk): string => formatSse(JSON.stringify(chunk));

export function createOpenaiStreamEncoder(options: OpenaiStreamEncoderOptions): StreamEncoder {
  const events = createOpenaiEventEncoder(options);

  // The frame of a one-field delta around its value, built when the events' state allows one
  // (after the role chunk, before the end) and rebuilt when the id changes. The state changes
  // only inside push(), so it is read once after each push rather than per token.
  const templated = typeof options.model === 'string';
  let hot = false;
  let framePrefix = '';
  let frameFor: string | undefined;
  const frameSuffix = `},"logprobs":null,"finish_reason":null}]${options.includeUsage ? ',"usage":null' : ''}}\n\n`;
  const tokenFrame = (field: 'content' | 'reasoning_content', value: string): string =>
    `${framePrefix}${field}":${JSON.stringify(value)}${frameSuffix}`;
  /** Reads the events' state after a push (the only place it changes). */
  const refresh = () => {
    hot = templated && events.roleSent && !events.finished && !events.failed;
    if (hot && frameFor !== events.id) {
      frameFor = events.id;
      framePrefix = `data: {"id":${JSON.stringify(events.id)},"object":"chat.completion.chunk","created":${JSON.stringify(events.created)},"model":${JSON.stringify(options.model)},"choices":[{"index":0,"delta":{"`;
    }
  };

  return {
    encode(part: StreamPart): string {
      if (hot && part.type === 'block_delta') {
        const d = part.delta;
        if (d.type === 'text') return d.text === '' ? '' : tokenFrame('content', d.text);
        if (d.type === 'thinking')
          return d.thinking === '' ? '' : tokenFrame('reasoning_content', d.thinking);
      }
      const text = framePart(events, part, frame, encodeOpenaiStreamError);
      refresh();
      return text;
    },
    // `[DONE]` only after a whole answer: after an error the stream must not look finished.
    end: () => (events.finished ? formatSse('[DONE]') : ''),
    keepAlive: () => formatSseComment('keep-alive'),
  };
}
