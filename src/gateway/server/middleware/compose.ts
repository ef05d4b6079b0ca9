/**
 * The gateway's middleware, in the shape of hono's (`bearer-auth` is the model): each file
 * exports a factory that takes its options once and returns a named function
 * `(ctx, next) => Promise<status>`. A middleware either answers itself (and resolves with
 * the status it sent) or returns `next()`. Every handler resolves with the status it sent,
 * so the outer middleware (the request log, metrics) sees it. Calling `next()` twice is a bug
 * and throws, as in hono.
 *
 * To add one: `middleware/<name>.ts` exporting `export function <name>(options): Middleware`
 * that returns `function <name>(ctx, next) { ... }`; put it in a route's chain in routes.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dialect } from '../dialect.ts';

export interface GatewayContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The path without query string or trailing slashes. */
  readonly path: string;
  readonly method: string;
  /** The API shape errors are written in: the route's own, or a guess from the request. */
  dialect: Dialect;
}

/** Answers the request; resolves with the status it sent (499: the client went away first). */
export type Handler = (ctx: GatewayContext) => Promise<number>;
export type Middleware = (ctx: GatewayContext, next: () => Promise<number>) => Promise<number>;

/** `compose([a, b], handler)`: a runs first; b runs when a calls next(); handler last. */
export function compose(middleware: readonly Middleware[], handler: Handler): Handler {
  return function composed(ctx) {
    const dispatch = (index: number): Promise<number> => {
      const current = middleware[index];
      if (current === undefined) return handler(ctx);
      let called = false;
      return current(ctx, () => {
        if (called) {
          return Promise.reject(
            new Error(`middleware ${current.name || index}: next() called more than once`),
          );
        }
        called = true;
        return dispatch(index + 1);
      });
    };
    return dispatch(0);
  };
}
