/** Answers 405 with `allow` to a method the route does not serve (GET routes also take HEAD). */
import { OutlastError } from '../../../errors/index.ts';
import { newRequestId, sendError } from '../dialect.ts';
import type { Middleware } from './compose.ts';

export function allowMethods(...methods: readonly string[]): Middleware {
  const allowed = new Set(methods.includes('GET') ? [...methods, 'HEAD'] : methods);
  const allow = methods.join(', ');
  return async function allowMethods(ctx, next) {
    if (allowed.has(ctx.method)) return next();
    return sendError(
      ctx.res,
      ctx.dialect,
      new OutlastError({ kind: 'bad_request', status: 405, message: `method not allowed; use ${allow}` }),
      newRequestId(),
      { allow },
    );
  };
}
