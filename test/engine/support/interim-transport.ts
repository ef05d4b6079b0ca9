/**
 * A small transport for the engine's integration tests until src/transport lands: undici,
 * the scope's phase timers, eventsource-parser, the codec's decoder. Not shipped.
 */
import { createParser } from 'eventsource-parser';
import { Agent, request } from 'undici';
import type { EngineTransport, EngineUpstreamStream } from '../../../src/engine/index.ts';
import { OutlastError, toOutlastError } from '../../../src/errors/index.ts';
import { abortReason, readServerHint } from '../../../src/policy/index.ts';
import { isContentPart, type StreamPart } from '../../../src/wire/canonical/index.ts';
import type { SseEvent } from '../../../src/wire/codec.ts';

export function createInterimTransport(): EngineTransport {
  const agent = new Agent({ keepAliveTimeout: 1000 });
  return {
    async stream({ target, request: spec, scope }) {
      const where = { provider: target.provider, model: target.model };
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        ...target.codec.authHeaders(target.apiKey),
        ...spec.headers,
        ...(target.headers ?? {}),
      };
      // Loopback connects at once: the wait is for headers (the real transport tells the phases apart).
      scope.enter('headers');
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(`${target.baseURL.replace(/\/$/, '')}${spec.path}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(spec.body),
          signal: scope.signal,
          dispatcher: agent,
        });
      } catch (e) {
        throw scope.signal.aborted ? abortReason(scope.signal) : toOutlastError(e, where);
      }
      const h = new Headers();
      for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
      if (res.statusCode >= 300) {
        const text = await res.body.text().catch(() => '');
        let error = target.codec.decodeError(res.statusCode, h, text);
        const hint = readServerHint((n) => h.get(n) ?? undefined, Date.now());
        if (hint.retryAfterMs !== undefined) error = error.with({ retryAfterMs: hint.retryAfterMs });
        if (hint.shouldRetry === false) error = error.with({ retryable: false });
        throw error.with({ ...where, status: res.statusCode });
      }
      scope.enter('first_token');
      const decoder = target.codec.createStreamDecoder();
      const body = res.body;
      let malformed = 0;
      const stream: EngineUpstreamStream = {
        status: res.statusCode,
        requestId: target.codec.requestIdOf(h),
        get malformedEvents() {
          return malformed;
        },
        cancel: () => body.destroy(),
        async *[Symbol.asyncIterator]() {
          const queue: SseEvent[] = [];
          const parser = createParser({
            onEvent: (e) => queue.push({ data: e.data, ...(e.event ? { event: e.event } : {}) }),
          });
          const emit = function* (parts: StreamPart[]) {
            for (const part of parts) {
              if (part.type === 'error') throw part.error.with(where);
              if (isContentPart(part)) scope.touch();
              yield part;
            }
          };
          try {
            for await (const chunk of body) {
              parser.feed(String(chunk));
              while (queue.length > 0) {
                const event = queue.shift()!;
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
              }
              if (decoder.complete) break;
            }
            yield* emit(decoder.end());
          } catch (e) {
            if (scope.signal.aborted) throw abortReason(scope.signal);
            if (OutlastError.isInstance(e)) throw e.provider ? e : e.with(where);
            throw new OutlastError({
              kind: 'stream_interrupted',
              message: `${where.provider}/${where.model}: stream cut`,
              ...where,
              cause: e,
            });
          } finally {
            body.destroy();
          }
        },
      };
      return stream;
    },
    close: () => agent.close(),
  };
}
