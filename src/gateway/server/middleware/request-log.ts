/**
 * The outermost middleware: the request's HTTP metrics, one log line per API request, and
 * an answer for anything a handler threw (nothing should; if it does, the client still gets
 * a 500 in its dialect rather than a hung socket).
 */
import type { LoggerLike } from '../../../engine/index.ts';
import { OutlastError } from '../../../errors/index.ts';
import type { HttpMetrics } from '../../../observe/metrics-http.ts';
import { newRequestId, sendError } from '../dialect.ts';
import { factsOf, requestLine } from '../request-facts.ts';
import type { Middleware } from './compose.ts';

export interface RequestLogOptions {
  readonly logger: LoggerLike;
  readonly httpMetrics: HttpMetrics;
  /** Whether to log a line per `/v1/` request; metrics are always kept. */
  readonly logRequests: boolean;
  /** The metrics label of a path: its route's, `other` for the rest (a label per arbitrary path would grow the registry without bound). */
  readonly endpointLabel: (path: string) => string;
}

export function requestLog(options: RequestLogOptions): Middleware {
  return async function requestLog(ctx, next) {
    const { req, res, path } = ctx;
    const started = performance.now();
    const finish = options.httpMetrics.start(options.endpointLabel(path));
    let status: number;
    try {
      status = await next();
    } catch (error) {
      if (!res.headersSent) {
        status = sendError(
          res,
          ctx.dialect,
          OutlastError.isInstance(error)
            ? error
            : new OutlastError({
                kind: 'server',
                status: 500,
                message: 'internal gateway error',
                cause: error,
              }),
          newRequestId(),
        );
      } else {
        res.destroy();
        status = 500;
      }
    }
    finish(status);
    if (options.logRequests && path.startsWith('/v1/')) {
      // From what the handlers recorded beside the response: headers given to writeHead are
      // invisible to getHeader(), which is how the first request lines came out without ids.
      options.logger.info?.(
        requestLine(factsOf(res), {
          method: req.method ?? 'GET',
          endpoint: path,
          status,
          durationMs: Math.round(performance.now() - started),
        }),
        'request',
      );
    }
    return status;
  };
}
