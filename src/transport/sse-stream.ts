/**
 * A 2xx event-stream body → canonical parts: bytes through a real SSE parser
 * (eventsource-parser) into the codec's stream decoder, with the scope's first-token and
 * idle timers fed by content parts only. Leaving early in any way destroys the socket; a
 * stream read to its terminal event gives its socket back to the pool. A stream that breaks
 * off after its stop reason arrived, losing only its terminal event, is whole, not cut.
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
import { type Queued, takeQueued } from './take-queued.ts';
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

export function createSseStream(options: SseStreamOptions): UpstreamStream & Queued<StreamPart> {
  const { body, decoder, scope, clock } = options;
  const where = { provider: options.provider, model: options.model, requestId: options.requestId };
  let malformed = 0;
  let events = 0;
  let cancelled: OutlastError | undefined;

  const fail = (e: unknown): OutlastError => {
    if (cancelled) return cancelled;
    if (scope.signal.aborted) return abortReason(scope.signal);
    if (OutlastError.isInstance(e)) return withTarget(e, where);
    return streamCut(e, where, events === 1 ? '1 event' : `${events} events`);
  };

  // A hand-written iterator rather than an async generator: the parts of one network chunk
  // are decoded together and handed out without a generator resumption (and its promises)
  // per part, which is most of what a relayed token costs.
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
  /** Decoded parts not yet handed out, from `at` on. */
  let ready: StreamPart[] = [];
  let at = 0;
  /** An in-band error part, raised once the parts before it are handed out. */
  let inBand: OutlastError | undefined;
  let chunks: AsyncIterator<Uint8Array> | undefined;
  let bodyEnded = false;
  let flushed = false;
  let endAsked = false;
  /** Read to its end (or its terminal event) without an error. */
  let finished = false;
  /** The iterator returned, threw or finished: every later `next` is done. */
  let over = false;
  let filling: Promise<void> | undefined;

  const addParts = (parts: StreamPart[]): void => {
    for (const part of parts) {
      if (part.type === 'error') {
        inBand = part.error;
        queue.length = 0;
        return;
      }
      ready.push(part);
    }
  };

  /** Parts for the events parsed so far; malformed ones are counted and skipped. */
  const decodeQueued = (): void => {
    let i = 0;
    while (i < queue.length && inBand === undefined) {
      const event = queue[i++] as SseEvent;
      events++;
      let parts: StreamPart[];
      try {
        parts = decoder.push(event);
      } catch (e) {
        if (OutlastError.isInstance(e) && e.kind === 'invalid_response') {
          malformed++;
          continue;
        }
        queue.length = 0;
        throw e;
      }
      addParts(parts);
      if (decoder.complete) break;
    }
    queue.splice(0, i);
  };

  /** Reads until there are parts to hand out, an in-band error, or the end. */
  async function fill(): Promise<void> {
    ready = [];
    at = 0;
    if (!chunks) {
      if (cancelled) throw cancelled;
      // Not destroyed on return: a completed stream's socket is drained back to the pool below.
      chunks = (body.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>)[
        Symbol.asyncIterator
      ]();
    }
    while (!decoder.complete && !bodyEnded) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await chunks.next();
      } catch (e) {
        if (endedWhole()) return;
        throw e;
      }
      if (next.done) {
        bodyEnded = true;
        break;
      }
      parser.feed(text.decode(next.value, { stream: true }));
      if (overflow) throw oversized(where);
      decodeQueued();
      if (ready.length > 0 || inBand) return;
    }
    if (!bodyEnded) {
      bodyEnded = true;
      await chunks.return?.();
    }
    if (!decoder.complete && !flushed) {
      // A clean end: flush a last event that lacked its blank line, then let the decoder judge.
      flushed = true;
      parser.feed(text.decode());
      parser.reset({ consume: true });
      decodeQueued();
      if (ready.length > 0 || inBand) return;
    }
    if (cancelled) throw cancelled;
    if (!decoder.complete && !endAsked) {
      endAsked = true;
      addParts(decoder.end());
      if (ready.length > 0 || inBand) return;
    }
    finished = true;
  }

  /**
   * After a read failed (a reset, or a timeout that destroyed the body): whether the answer
   * was whole anyway, its stop reason in hand and only the terminal event lost (Anthropic's
   * message_stop after message_delta, OpenAI's usage chunk or [DONE] after the finish reason).
   * The decoder judges, as at a clean end; a cancel is never taken for an end.
   */
  const endedWhole = (): boolean => {
    if (cancelled || (scope.signal.aborted && abortReason(scope.signal).kind === 'cancelled')) return false;
    // An event complete but for its blank line is read; a cut-off one is malformed and skipped.
    parser.feed(text.decode());
    parser.reset({ consume: true });
    try {
      decodeQueued();
    } catch {
      return false;
    }
    if (inBand) return true;
    let parts: StreamPart[];
    try {
      parts = decoder.complete ? [] : decoder.end();
    } catch {
      return false;
    }
    bodyEnded = true;
    flushed = true;
    endAsked = true;
    addParts(parts);
    return true;
  };

  /** Leaves the stream: a whole answer keeps its socket, anything else destroys it. */
  const close = (): void => {
    if (over) return;
    over = true;
    if (finished || decoder.complete) release();
    else discard(body);
  };

  const DONE: IteratorResult<StreamPart> = { value: undefined, done: true };

  /** The next part if one is decoded and waiting, without a promise; undefined otherwise. */
  const pull = (): StreamPart | undefined => {
    if (over || filling || at >= ready.length) return undefined;
    const part = ready[at++] as StreamPart;
    if (isContentPart(part)) scope.touch();
    return part;
  };

  const iterator: AsyncIterator<StreamPart> = {
    next(): Promise<IteratorResult<StreamPart>> {
      if (over) return Promise.resolve(DONE);
      if (filling)
        return filling.then(
          () => iterator.next(),
          () => iterator.next(),
        );
      if (at < ready.length) {
        const part = ready[at++] as StreamPart;
        if (isContentPart(part)) scope.touch();
        return Promise.resolve({ value: part, done: false });
      }
      if (inBand) {
        const error = fail(withTarget(inBand, where));
        close();
        return Promise.reject(error);
      }
      if (finished) {
        close();
        return Promise.resolve(DONE);
      }
      filling = fill().then(
        () => {
          filling = undefined;
        },
        (e: unknown) => {
          filling = undefined;
          const error = fail(e);
          close();
          throw error;
        },
      );
      return filling.then(() => iterator.next());
    },
    return(): Promise<IteratorResult<StreamPart>> {
      if (!over) {
        // Ended by the consumer: the body iterator lets go first (it never destroys the body).
        if (chunks && !bodyEnded) {
          bodyEnded = true;
          chunks.return?.()?.catch(() => undefined);
        }
        close();
      }
      return Promise.resolve(DONE);
    },
  };

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
    [takeQueued]: pull,
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
      return iterator;
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
  const event: SseEvent = { data: e.data };
  if (e.event) event.event = e.event;
  if (e.id) event.id = e.id;
  return event;
}
