/**
 * Server side: canonical stream parts → Anthropic SSE: the event objects of stream-events.ts,
 * each framed with its `event:` line (the SDK dispatches on it), and `ping` keep-alives.
 */
import type { StreamPart } from '../canonical/index.ts';
import type { StreamEncoder, StreamEncoderOptions } from '../codec.ts';
import { formatSse } from '../shared/index.ts';
import { encodeAnthropicStreamError } from './errors.ts';
import type { AnthropicStreamEvent } from './sdk-types.ts';
import { createAnthropicEventEncoder } from './stream-events.ts';

const frame = (event: AnthropicStreamEvent | { type: 'ping' }): string =>
  formatSse(JSON.stringify(event), event.type);

export function createAnthropicStreamEncoder(options: StreamEncoderOptions): StreamEncoder {
  const events = createAnthropicEventEncoder(options);
  return {
    encode(part: StreamPart): string {
      if (part.type === 'error') {
        if (events.finished || events.failed) return '';
        events.push(part);
        return encodeAnthropicStreamError(part.error);
      }
      const out = events.push(part);
      if (out.length === 0) return '';
      if (out.length === 1) return frame(out[0] as AnthropicStreamEvent);
      return out.map(frame).join('');
    },
    end: () => '',
    keepAlive: () => frame({ type: 'ping' }),
  };
}
