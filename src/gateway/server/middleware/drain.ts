/**
 * While the gateway shuts down, new model calls are refused with a retryable 503 and
 * `retry-after` in the client's dialect, and the connection is closed after the answer, so
 * the client's retry goes to another instance.
 */
import { OutlastError } from '../../../errors/index.ts';
import { newRequestId, sendError } from '../dialect.ts';
import type { Middleware } from './compose.ts';

export interface DrainOptions {
  readonly isDraining: () => boolean;
  /** What `retry-after` tells the client; default 1000 ms. */
  readonly retryAfterMs?: number;
}

export function drain(options: DrainOptions): Middleware {
  const retryAfterMs = options.retryAfterMs ?? 1000;
  return async function drain(ctx, next) {
    if (!options.isDraining()) return next();
    return sendError(
      ctx.res,
      ctx.dialect,
      new OutlastError({
        kind: 'overloaded',
        status: 503,
        retryable: true,
        retryAfterMs,
        message: 'the gateway is shutting down; retry on another instance',
      }),
      newRequestId(),
      { connection: 'close' },
    );
  };
}
