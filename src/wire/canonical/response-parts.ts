import type { CanonicalResponse, StreamPart } from './types.ts';

/**
 * The parts a stream of this whole response would carry, one delta per block: what lets an
 * answer fetched as one JSON body go through the same stream machinery (commit point,
 * assembly, relay) as a streamed one. Assembled again, they give the response back, as a
 * streamed answer would: content blocks a stream cannot carry (an image, a tool result) and
 * passthrough fields are not in them.
 */
/** The event name of a whole Chat Completion relayed as one `verbatim` part (no SSE event has it). */
export const WHOLE_CHAT_COMPLETION = 'chat.completion';

export function responseToParts(response: CanonicalResponse): StreamPart[] {
  const parts: StreamPart[] = [{ type: 'message_start', id: response.id, model: response.model }];
  let index = 0;
  for (const block of response.content) {
    switch (block.type) {
      case 'text':
        parts.push({ type: 'block_start', index, block: { type: 'text' } });
        if (block.text !== '')
          parts.push({ type: 'block_delta', index, delta: { type: 'text', text: block.text } });
        break;
      case 'thinking':
        parts.push({ type: 'block_start', index, block: { type: 'thinking' } });
        if (block.thinking !== '')
          parts.push({ type: 'block_delta', index, delta: { type: 'thinking', thinking: block.thinking } });
        if (block.signature !== undefined)
          parts.push({
            type: 'block_delta',
            index,
            delta: { type: 'signature', signature: block.signature },
          });
        break;
      case 'redacted_thinking':
        parts.push({ type: 'block_start', index, block: { type: 'redacted_thinking', data: block.data } });
        break;
      case 'tool_use':
        parts.push({
          type: 'block_start',
          index,
          block: { type: 'tool_use', id: block.id, name: block.name },
        });
        parts.push({
          type: 'block_delta',
          index,
          delta: { type: 'tool_input', partialJson: JSON.stringify(block.input) },
        });
        break;
      default:
        continue;
    }
    parts.push({ type: 'block_stop', index });
    index++;
  }
  if (response.verbatim) {
    // The answer as the caller's own dialect gave it, for that caller's encoder (the Responses
    // API's terminal event carries the whole Response).
    const { dialect, body } = response.verbatim;
    if (dialect === 'openai-chat')
      parts.push({ type: 'verbatim', dialect, event: WHOLE_CHAT_COMPLETION, data: JSON.stringify(body) });
    else {
      const event = body.status === 'incomplete' ? 'response.incomplete' : 'response.completed';
      parts.push({ type: 'verbatim', dialect, event, data: JSON.stringify({ type: event, response: body }) });
    }
  }
  parts.push({
    type: 'message_delta',
    stopReason: response.stopReason,
    ...(response.stopSequence === undefined ? {} : { stopSequence: response.stopSequence }),
    usage: response.usage,
  });
  parts.push({ type: 'message_stop' });
  return parts;
}
