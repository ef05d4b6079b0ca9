/**
 * Server side: canonical stream parts → Anthropic SSE: the event objects of stream-events.ts,
 * each framed with its `event:` line (the SDK dispatches on it), and `ping` keep-alives.
 */
import type { StreamPart } from '../canonical/index.ts';
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
  return {
    encode: (part: StreamPart): string => framePart(events, part, frame, encodeAnthropicStreamError),
    end: () => '',
    keepAlive: () => frame({ type: 'ping' }),
  };
}
