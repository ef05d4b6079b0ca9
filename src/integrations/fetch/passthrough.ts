/**
 * Calls that are not generation calls (models list, files, batches, token counting) go to
 * the URL the SDK asked for, as they are, over the transport: with its connect / headers /
 * idle timeouts, and retried only when that is safe (an idempotent method on a transient
 * status or a network error; any method when the request never left, i.e. a refused or
 * timed-out connect).
 */
import { type OutlastError, toOutlastError } from '../../errors/index.ts';
import { checkNumber } from '../../policy/check-option.ts';
import { type Clock, createDeadline, readServerHint } from '../../policy/index.ts';
import type { Transport } from '../../transport/index.ts';

export interface PassthroughOptions {
  /** Per attempt: to connect, then to the response headers, then between body chunks. Default 30 000 ms. */
  timeoutMs?: number;
  /** Retries of a call that is safe to repeat. Default 1. */
  retries?: number;
  /** Longest wait before a retry, server hints included. Default 2 000 ms. */
  maxWaitMs?: number;
}

export interface ResolvedPassthrough {
  timeoutMs: number;
  retries: number;
  maxWaitMs: number;
}

export function resolvePassthrough(options: PassthroughOptions = {}): ResolvedPassthrough {
  return {
    timeoutMs: checkNumber('passthrough.timeoutMs', options.timeoutMs ?? 30_000, { min: 1 }),
    retries: checkNumber('passthrough.retries', options.retries ?? 1, { integer: true, max: 10 }),
    maxWaitMs: checkNumber('passthrough.maxWaitMs', options.maxWaitMs ?? 2_000),
  };
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);
const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504, 529]);
// Set by undici from the body and the connection; forwarding the SDK's copies would clash.
const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);
const BACKOFF_MS = 250;

/** A failure that happened before the request could have reached the server: safe to resend any method. */
function neverSent(error: OutlastError): boolean {
  if (error.kind === 'timeout' && error.phase === 'connect') return true;
  let current: unknown = error.cause;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    if ((current as { code?: unknown }).code === 'ECONNREFUSED') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function headerRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name)) out[name] = value;
  });
  return out;
}

/**
 * The body as the SDK reads it; the deadline (and its timers) is disposed when the body ends,
 * fails or is cancelled. Aborted by the caller, it fails with the signal's reason, as a fetch body does.
 */
function ownedBody(
  body: ReadableStream<Uint8Array> | null,
  signal: AbortSignal,
  dispose: () => void,
): ReadableStream<Uint8Array> | null {
  if (!body) {
    dispose();
    return null;
  }
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await reader.read();
        if (next.done) {
          dispose();
          controller.close();
        } else controller.enqueue(next.value);
      } catch (error) {
        dispose();
        controller.error(signal.aborted ? signal.reason : error);
      }
    },
    async cancel(reason) {
      dispose();
      await reader.cancel(reason);
    },
  });
}

export async function forwardPassthrough(
  request: Request,
  transport: Transport,
  options: ResolvedPassthrough,
  clock: Clock,
): Promise<Response> {
  const method = request.method.toUpperCase();
  const idempotent = IDEMPOTENT.has(method);
  const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
  const headers = headerRecord(request.headers);
  const limit = options.timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const deadline = createDeadline({ clock, signal: request.signal });
    const scope = deadline.attempt({ connect: limit, headers: limit, idle: limit });
    const dispose = () => {
      scope.dispose();
      deadline.dispose();
    };
    const last = attempt > options.retries;
    let answer: Awaited<ReturnType<Transport['request']>>;
    try {
      answer = await transport.request({
        url: request.url,
        method,
        headers,
        ...(body ? { body } : {}),
        scope,
      });
    } catch (e) {
      dispose();
      const error = toOutlastError(e);
      if (request.signal.aborted) throw request.signal.reason;
      if (last || !(idempotent || neverSent(error))) throw error;
      await clock.sleep(BACKOFF_MS * attempt, request.signal);
      continue;
    }
    const hint = readServerHint((name) => answer.headers.get(name) ?? undefined, clock.now());
    const retry =
      !last &&
      idempotent &&
      TRANSIENT_STATUS.has(answer.status) &&
      hint.shouldRetry !== false &&
      (hint.retryAfterMs ?? 0) <= options.maxWaitMs;
    if (!retry) {
      return new Response(ownedBody(answer.body, request.signal, dispose), {
        status: answer.status,
        headers: answer.headers,
      });
    }
    await answer.body?.cancel().catch(() => undefined);
    dispose();
    await clock.sleep(Math.min(options.maxWaitMs, hint.retryAfterMs ?? BACKOFF_MS * attempt), request.signal);
  }
}
