/** The 503 every limit on load answers with: retryable, `retry-after` in the dialect, the connection closed after it. */
import { OutlastError, type OutlastErrorCode } from '../../../errors/index.ts';
import { newRequestId, sendError } from '../dialect.ts';
import type { GatewayContext } from './compose.ts';

export const OVERLOAD_RETRY_AFTER_MS = 1000;

export function sendOverloaded(ctx: GatewayContext, message: string, code: OutlastErrorCode): number {
  return sendError(
    ctx.res,
    ctx.dialect,
    new OutlastError({
      kind: 'overloaded',
      status: 503,
      retryable: true,
      retryAfterMs: OVERLOAD_RETRY_AFTER_MS,
      code,
      message,
    }),
    newRequestId(),
    { connection: 'close' },
  );
}
