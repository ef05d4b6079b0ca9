/**
 * A request on a connection accepted over `server.maxConnections` is answered 503 with
 * `retry-after` and the connection closed. Health checks skip this middleware, so a load
 * balancer still sees the instance alive while clients are told to go elsewhere.
 */
import type { Socket } from 'node:net';
import { SPECIFIC_CODES } from '../../../errors/index.ts';
import type { Middleware } from './compose.ts';
import { sendOverloaded } from './overload.ts';

export interface ConnectionLimitOptions {
  readonly maxConnections: number;
  readonly isOverLimit: (socket: Socket) => boolean;
}

export function connectionLimit(options: ConnectionLimitOptions): Middleware {
  return async function connectionLimit(ctx, next) {
    if (!options.isOverLimit(ctx.req.socket)) return next();
    return sendOverloaded(
      ctx,
      `the gateway has ${options.maxConnections} connections open (server.maxConnections): retry shortly`,
      SPECIFIC_CODES.TOO_MANY_CONNECTIONS,
    );
  };
}
