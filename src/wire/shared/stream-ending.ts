/**
 * The end of a stream of events, the same for every format: `message_stop` ends the answer
 * with the format's closing events (`finish`), an `error` part ends it with none (its in-band
 * form is the codec's `encodeStreamError`), and after either the encoder takes no more parts.
 * A `verbatim` part (another dialect's event) gives none.
 */
import type { OutlastError } from '../../errors/index.ts';
import type { StreamPart } from '../canonical/index.ts';
import type { StreamEventEncoder } from '../codec.ts';

type Middle = Exclude<StreamPart, { type: 'message_stop' | 'error' | 'verbatim' }>;

export function withStreamEnding<E>(
  middle: (part: Middle) => E[],
  finish: (truncated: boolean) => E[],
): StreamEventEncoder<E> {
  let finished = false;
  let failed = false;
  return {
    get finished() {
      return finished;
    },
    get failed() {
      return failed;
    },
    push(part) {
      if (finished || failed) return [];
      if (part.type === 'message_stop') {
        finished = true;
        return finish(part.truncated === true);
      }
      if (part.type === 'error') {
        failed = true;
        return [];
      }
      // Another dialect's own event, for a caller of that dialect: this one has it in canonical parts.
      if (part.type === 'verbatim') return [];
      return middle(part);
    },
  };
}

/**
 * The SSE text for one part: its events framed, or for an `error` part the format's error
 * event (none once the stream already ended, whole or failed).
 */
export function framePart<E>(
  events: StreamEventEncoder<E>,
  part: StreamPart,
  frame: (event: E) => string,
  encodeError: (error: OutlastError) => string,
): string {
  if (part.type === 'error') {
    if (events.finished || events.failed) return '';
    events.push(part);
    return encodeError(part.error);
  }
  const out = events.push(part);
  if (out.length === 0) return '';
  if (out.length === 1) return frame(out[0] as E);
  return out.map(frame).join('');
}
