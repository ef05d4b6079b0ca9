/**
 * A scripted in-memory transport and codec for the engine's unit tests: each target answers
 * from a list of scripted behaviours, one per attempt. HTTP itself is tested over real
 * sockets elsewhere; here only the engine's decisions are under test.
 */

import type { EngineTransport, EngineUpstreamStream } from '../../../src/engine/index.ts';
import { type ErrorKind, OutlastError } from '../../../src/errors/index.ts';
import type { AttemptScope } from '../../../src/policy/index.ts';
import type { CanonicalRequest, StreamPart } from '../../../src/wire/canonical/index.ts';
import type { ClientCodec } from '../../../src/wire/codec.ts';

export type Behaviour =
  | {
      fail: ErrorKind;
      status?: number;
      retryAfterMs?: number;
      phase?: 'first_token' | 'headers' | 'connect' | 'idle';
      message?: string;
    }
  | { text: string; cutAfter?: number; cutWith?: ErrorKind; model?: string }
  /** Never answers until aborted. */
  | { hang: true };

export interface Seen {
  key: string;
  request: CanonicalRequest;
  at: number;
}

export function textParts(text: string, model: string, chunks = 4): StreamPart[] {
  const size = Math.max(1, Math.ceil(text.length / chunks));
  const parts: StreamPart[] = [
    { type: 'message_start', id: 'msg_1', model, usage: { inputTokens: 10, outputTokens: 1 } },
    { type: 'block_start', index: 0, block: { type: 'text' } },
  ];
  for (let i = 0; i < text.length; i += size)
    parts.push({ type: 'block_delta', index: 0, delta: { type: 'text', text: text.slice(i, i + size) } });
  parts.push(
    { type: 'block_stop', index: 0 },
    { type: 'message_delta', stopReason: 'end_turn', usage: { outputTokens: Math.ceil(text.length / 4) } },
    { type: 'message_stop' },
  );
  return parts;
}

export const fakeCodec = (format: 'anthropic' | 'openai' | 'gemini'): ClientCodec => ({
  format,
  authHeaders: () => ({}),
  encodeRequest: (request) => ({ path: '/', body: request, headers: {} }),
  decodeResponse: () => {
    throw new Error('unused');
  },
  createStreamDecoder: () => {
    throw new Error('unused');
  },
  decodeError: () => new OutlastError({ kind: 'server', message: 'unused' }),
  requestIdOf: () => undefined,
});

const STATUS: Partial<Record<ErrorKind, number>> = {
  rate_limited: 429,
  overloaded: 529,
  server: 500,
  bad_request: 400,
  context_length: 400,
  content_filter: 400,
  auth: 401,
  permission: 403,
  not_found: 404,
};

export function createFakeTransport(
  scripts: Record<string, Behaviour[]>,
  now: () => number,
): EngineTransport & { seen: Seen[]; open: number } {
  const seen: Seen[] = [];
  const counters = new Map<string, number>();
  const fake = {
    seen,
    open: 0,
    async stream(call: {
      target: { provider: string; model: string };
      request: { body: unknown };
      scope: AttemptScope;
    }) {
      const key = `${call.target.provider}/${call.target.model}`;
      const n = counters.get(key) ?? 0;
      counters.set(key, n + 1);
      seen.push({ key, request: call.request.body as CanonicalRequest, at: now() });
      const script = scripts[key] ?? [];
      const b: Behaviour = script[Math.min(n, script.length - 1)] ?? { text: `answer from ${key}` };
      const where = { provider: call.target.provider, model: call.target.model };
      if ('fail' in b) {
        throw new OutlastError({
          kind: b.fail,
          message: b.message ?? `${key} failed with ${b.fail}`,
          ...where,
          ...(STATUS[b.fail] ? { status: b.status ?? STATUS[b.fail] } : {}),
          ...(b.retryAfterMs === undefined ? {} : { retryAfterMs: b.retryAfterMs }),
          ...(b.phase ? { phase: b.phase } : {}),
        });
      }
      if ('hang' in b) {
        fake.open++;
        await new Promise<void>((_, reject) => {
          if (call.scope.signal.aborted) reject(call.scope.signal.reason);
          call.scope.signal.addEventListener('abort', () => reject(call.scope.signal.reason), { once: true });
        }).finally(() => fake.open--);
        throw new Error('unreachable');
      }
      const parts = textParts(b.text, b.model ?? call.target.model);
      const cut = b.cutAfter;
      fake.open++;
      let closed = false;
      const close = () => {
        if (!closed) fake.open--;
        closed = true;
      };
      const stream: EngineUpstreamStream = {
        status: 200,
        requestId: `up_${key}_${n}`,
        malformedEvents: 0,
        cancel: close,
        async *[Symbol.asyncIterator]() {
          try {
            for (const [i, part] of parts.entries()) {
              if (cut !== undefined && i >= cut) {
                throw new OutlastError({
                  kind: b.cutWith ?? 'stream_interrupted',
                  message: `${key} stream cut`,
                  ...where,
                });
              }
              await Promise.resolve();
              if (call.scope.signal.aborted) throw call.scope.signal.reason;
              yield part;
            }
          } finally {
            close();
          }
        },
      };
      return stream;
    },
    async close() {},
  };
  return fake;
}
