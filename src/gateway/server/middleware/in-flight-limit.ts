/** At most `server.maxInFlight` model calls at once; the next is answered 503 with `retry-after`. */
import { SPECIFIC_CODES } from '../../../errors/index.ts';
import type { Middleware } from './compose.ts';
import { sendOverloaded } from './overload.ts';

export function inFlightLimit(options: { readonly maxInFlight: number }): Middleware {
  let inFlight = 0;
  return async function inFlightLimit(ctx, next) {
    if (inFlight >= options.maxInFlight) {
      return sendOverloaded(
        ctx,
        `the gateway is serving ${options.maxInFlight} requests in flight (server.maxInFlight): retry shortly`,
        SPECIFIC_CODES.TOO_MANY_REQUESTS,
      );
    }
    inFlight++;
    try {
      return await next();
    } finally {
      inFlight--;
    }
  };
}
