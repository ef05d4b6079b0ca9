/**
 * Server side: canonical stream parts → Anthropic SSE: the event objects of stream-events.ts,
 * each framed with its `event:` line (the SDK dispatches on it), and `ping` keep-alives.
 */
import type { PassthroughPart, StreamPart } from '../canonical/index.ts';
import type { StreamEncoder, StreamEncoderOptions } from '../codec.ts';
import { formatSse } from '../shared/index.ts';
import { framePart } from '../shared/stream-ending.ts';
import { encodeAnthropicStreamError } from './errors.ts';
import type { AnthropicStreamEvent } from './sdk-types.ts';
import { createAnthropicEventEncoder } from './stream-events.ts';

const frame = (event: AnthropicStreamEvent | { type: 'ping' }): string =>
  formatSse(JSON.stringify(event), event.type);

export function createAnthropicStreamEncoder(options: StreamEncoderOptions): StreamEncoder {
  const events = createAnthropicEventEncoder(options);

  /**
   * An upstream Anthropic event outlast does not model, as it came (issue 16): inside the
   * message only, its block index the client's (rewritten only when that differs), dropped when
   * its block is not open here. Another format's event has nothing to say in this one.
   */
  const relay = (part: PassthroughPart): string => {
    if (part.format !== 'anthropic' || !events.relaying) return '';
    if (part.index === undefined) return formatSse(part.data, part.event);
    const index = events.openIndexOf(part.index);
    if (index === undefined) return '';
    const data = withIndex(part.data, index);
    return data === undefined ? '' : formatSse(data, part.event);
  };

  return {
    encode: (part: StreamPart): string =>
      part.type === 'passthrough' ? relay(part) : framePart(events, part, frame, encodeAnthropicStreamError),
    end: () => '',
    keepAlive: () => frame({ type: 'ping' }),
  };
}

/** The event's data with `index` as given: unchanged when it already is; undefined when it is not an object. */
function withIndex(data: string, index: number): string | undefined {
  let event: unknown;
  try {
    event = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return undefined;
  if ((event as { index?: unknown }).index === index) return data;
  return JSON.stringify({ ...event, index });
}
