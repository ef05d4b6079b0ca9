/**
 * A 2xx event-stream body → canonical parts: bytes through a real SSE parser
 * (eventsource-parser) into the codec's stream decoder, with the scope's first-token and
 * idle timers fed by content parts only. Leaving early in any way destroys the socket; a
 * stream read to its terminal event gives its socket back to the pool.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { OutlastError } from '../errors/index.ts';
import type { Clock } from '../policy/clock.ts';
import { type AttemptScope, abortReason } from '../policy/deadline.ts';
import { isContentPart, type StreamPart } from '../wire/canonical/index.ts';
import type { SseEvent, StreamDecoder } from '../wire/codec.ts';
import type { ResponseBody } from './dispatch.ts';
import { discard } from './read-body.ts';
import { streamCut, withTarget } from './read-failure.ts';
import type { UpstreamStream } from './types.ts';

/** How long a stream that already completed may take to send its last bytes before its socket is dropped instead of reused. */
const DRAIN_MS = 1000;
const DRAIN_LIMIT = 64 * 1024;
/** Far above any real event; an upstream that never ends its event must not fill memory. */
const MAX_EVENT_CHARS = 8 * 1024 * 1024;

export interface SseStreamOptions {
  status: number;
  headers: Headers;
  requestId: string | undefined;
  body: ResponseBody;
  decoder: StreamDecoder;
  scope: AttemptScope;
  provider: string;
  model: string;
  clock: Clock;
}

export function createSseStream(options: SseStreamOptions): UpstreamStream {
  const { body, decoder, scope, clock } = options;
  const where = { provider: options.provider, model: options.model, requestId: options.requestId };
  let malformed = 0;
  let events = 0;
  let cancelled: OutlastError | undefined;
  let iterator: AsyncIterator<StreamPart> | undefined;

  const emit = function* (parts: StreamPart[]): Generator<StreamPart> {
    for (const part of parts) {
      if (part.type === 'error') throw withTarget(part.error, where);
      if (isContentPart(part)) scope.touch();
      yield part;
    }
  };

  /** Parts for the events parsed so far; malformed ones are counted and skipped. */
  const decodeQueued = function* (queue: SseEvent[]): Generator<StreamPart> {
    while (queue.length > 0) {
      const event = queue.shift() as SseEvent;
      events++;
      let parts: StreamPart[];
      try {
        parts = decoder.push(event);
      } catch (e) {
        if (OutlastError.isInstance(e) && e.kind === 'invalid_response') {
          malformed++;
          continue;
        }
        throw e;
      }
      yield* emit(parts);
      if (decoder.complete) return;
    }
  };

  const fail = (e: unknown): OutlastError => {
    if (cancelled) return cancelled;
    if (scope.signal.aborted) return abortReason(scope.signal);
    if (OutlastError.isInstance(e)) return withTarget(e, where);
    return streamCut(e, where, events === 1 ? '1 event' : `${events} events`);
  };

  async function* read(): AsyncGenerator<StreamPart> {
    const queue: SseEvent[] = [];
    let overflow = false;
    const parser = createParser({
      maxBufferSize: MAX_EVENT_CHARS,
      onEvent: (e) => queue.push(toSseEvent(e)),
      onError: (e) => {
        if (e.type === 'max-buffer-size-exceeded') overflow = true;
      },
    });
    const text = new TextDecoder();
    let finished = false;
    try {
      if (cancelled) throw cancelled;
      // Not destroyed on return: a completed stream's socket is drained back to the pool below.
      const chunks = body.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>;
      for await (const chunk of chunks) {
        parser.feed(text.decode(chunk, { stream: true }));
        if (overflow) throw oversized(where);
        yield* decodeQueued(queue);
        if (decoder.complete) break;
      }
      if (!decoder.complete) {
        // A clean end: flush a last event that lacked its blank line, then let the decoder judge.
        parser.feed(text.decode());
        parser.reset({ consume: true });
        yield* decodeQueued(queue);
      }
      if (cancelled) throw cancelled;
      if (!decoder.complete) yield* emit(decoder.end());
      finished = true;
    } catch (e) {
      throw fail(e);
    } finally {
      // A consumer that stops at the last part still leaves a whole answer: keep the socket.
      if (finished || decoder.complete) release();
      else discard(body);
    }
  }

  /** Gives the socket back to the pool once the body's last bytes are in; drops it if they dawdle. */
  const release = () => {
    if (body.readableEnded || body.destroyed) return;
    const controller = new AbortController();
    const timer = clock.setTimeout(() => controller.abort(), DRAIN_MS);
    body
      .dump({ limit: DRAIN_LIMIT, signal: controller.signal })
      .catch(() => undefined)
      .finally(() => timer.clear());
  };

  return {
    status: options.status,
    headers: options.headers,
    requestId: options.requestId,
    get malformedEvents() {
      return malformed;
    },
    cancel(reason) {
      if (cancelled) return;
      cancelled = OutlastError.isInstance(reason)
        ? reason
        : new OutlastError({
            kind: 'cancelled',
            message: `the stream from ${where.provider}/${where.model} was cancelled`,
            provider: where.provider,
            model: where.model,
            ...(reason === undefined ? {} : { cause: reason }),
          });
      discard(body);
    },
    [Symbol.asyncIterator]() {
      // One reader per stream: a second loop continues the first rather than replaying it.
      iterator ??= read();
      return iterator as AsyncIterator<StreamPart>;
    },
  };
}

function oversized(where: { provider: string; model: string; requestId: string | undefined }): OutlastError {
  return new OutlastError({
    kind: 'invalid_response',
    message: `upstream ${where.provider}/${where.model} sent an event over ${MAX_EVENT_CHARS} characters`,
    provider: where.provider,
    model: where.model,
    ...(where.requestId === undefined ? {} : { requestId: where.requestId }),
  });
}

function toSseEvent(e: EventSourceMessage): SseEvent {
  return {
    data: e.data,
    ...(e.event ? { event: e.event } : {}),
    ...(e.id ? { id: e.id } : {}),
  };
}
