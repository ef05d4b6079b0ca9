/**
 * The body of a streamed answer: an engine call's parts encoded as the dialect's SSE. Read it
 * one way: `pipe()` (the gateway's relay: the parts already queued are encoded without a
 * promise each) or `next()` (a pull-driven `ReadableStream`). A failure after the commit point
 * becomes the dialect's own error event, as the provider itself would send it; a caller that
 * aborted gets no error event (nobody is reading it).
 */

import { type EngineCall, forEachQueued } from '../engine/index.ts';
import type { OutlastError } from '../errors/index.ts';
import type { StreamPart, Usage, VerbatimDialect } from '../wire/canonical/index.ts';
import type { ServerCodec, StreamEncoder } from '../wire/codec.ts';

export interface SseBody {
  /**
   * Hands each piece of SSE text to `write` (which may return a promise while the socket is
   * full, and false once the client is gone), the closing text last. Resolves false when the
   * client went away before the end (which cancels the call, upstream included), true once
   * the closing text or an in-band error event was handed over.
   */
  pipe(write: (text: string) => boolean | Promise<boolean>): Promise<boolean>;
  /** The next non-empty piece of SSE text, undefined after the last; rejects with the abort reason once aborted. */
  next(): Promise<string | undefined>;
  /** A keep-alive the client ignores (Anthropic `ping` event, a `:` comment elsewhere). */
  keepAlive(): string;
  /** The reader stopped: cancels the call, upstream socket included. */
  cancel(reason?: unknown): void;
}

export interface SseBodyOptions {
  codec: ServerCodec;
  call: EngineCall;
  /** The model name the stream reports. */
  model: string;
  /** OpenAI: whether the client asked for `stream_options.include_usage`. */
  includeUsage?: boolean;
  /** The request is relayed as it came in this dialect (serve-call reads it from the request). */
  relayed?: VerbatimDialect;
  signal: AbortSignal;
  /** The error as this entry point's client sees it. */
  facing(error: unknown): OutlastError;
  /** Told the usage the stream reports as it passes (`message_start`, `message_delta`). */
  onUsage?: (usage: Partial<Usage>) => void;
}

export function createSseBody(options: SseBodyOptions): SseBody {
  const { codec, call, signal } = options;
  const encoder: StreamEncoder = codec.createStreamEncoder({
    model: options.model,
    ...(options.includeUsage === undefined ? {} : { includeUsage: options.includeUsage }),
    ...(options.relayed === undefined ? {} : { relayed: options.relayed }),
  });
  let parts: AsyncIterator<StreamPart> | undefined;
  let finished = false;
  const { onUsage } = options;
  const encode = onUsage
    ? (part: StreamPart) => {
        if ((part.type === 'message_start' || part.type === 'message_delta') && part.usage)
          onUsage(part.usage);
        return encoder.encode(part);
      }
    : (part: StreamPart) => encoder.encode(part);

  return {
    async pipe(write) {
      try {
        if (!(await forEachQueued(call, (part) => write(encode(part))))) return false;
        await write(encoder.end());
        return true;
      } catch (error) {
        if (signal.aborted) return false;
        await write(codec.encodeStreamError(options.facing(error)));
        return true;
      }
    },
    async next() {
      if (finished) return undefined;
      parts ??= call[Symbol.asyncIterator]();
      const iterator = parts;
      try {
        // Several parts may encode to nothing (OpenAI has no block stop): pull until there is text.
        for (;;) {
          const next = await iterator.next();
          if (next.done) {
            finished = true;
            return encoder.end() || undefined;
          }
          const text = encode(next.value);
          if (text) return text;
        }
      } catch (error) {
        finished = true;
        if (signal.aborted) throw signal.reason;
        return codec.encodeStreamError(options.facing(error));
      }
    },
    keepAlive: () => encoder.keepAlive(),
    cancel(reason) {
      finished = true;
      call.cancel(reason);
      void parts?.return?.().catch(() => undefined);
    },
  };
}
