/**
 * Gateway keys from `Authorization: Bearer`, `x-api-key` or `x-goog-api-key` (or `?key=` where a
 * route allows it, as Gemini's endpoints do), checked against the configured
 * hashes; a request without a valid key is answered 401 in its dialect.
 */
import type { IncomingMessage } from 'node:http';
import { OutlastError, SPECIFIC_CODES } from '../../../errors/index.ts';
import { createKeyLookup, type KeyEntry } from '../../config/hash-key.ts';
import { newRequestId, sendError } from '../dialect.ts';
import { factsOf } from '../request-facts.ts';
import type { Middleware } from './compose.ts';

export function presentedKey(req: IncomingMessage, queryParam?: string): string | undefined {
  const apiKey = req.headers['x-api-key'] ?? req.headers['x-goog-api-key'];
  if (typeof apiKey === 'string' && apiKey !== '') return apiKey;
  const authorization = req.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match?.[1]) return match[1].trim();
  }
  if (queryParam !== undefined && req.url?.includes('?')) {
    const fromQuery = new URL(req.url, 'http://gateway').searchParams.get(queryParam);
    if (fromQuery) return fromQuery;
  }
  return undefined;
}

export interface GatewayKeyOptions {
  /** `sha256:<hex>` hashes, with a name when given; none: the gateway is open. */
  readonly keys: readonly KeyEntry[];
  /** A query parameter that may carry the key too (Gemini's `?key=`); none by default. */
  readonly queryParam?: string;
}

/** Lets through requests that present one of the configured keys; its name goes to the request line and metrics. */
export function gatewayKey(options: GatewayKeyOptions): Middleware {
  const lookup = options.keys.length === 0 ? undefined : createKeyLookup(options.keys);
  return async function gatewayKey(ctx, next) {
    if (lookup === undefined) return next();
    const key = presentedKey(ctx.req, options.queryParam);
    const name = key === undefined ? undefined : lookup(key);
    if (name !== undefined) {
      factsOf(ctx.res).key = name;
      return next();
    }
    return sendError(
      ctx.res,
      ctx.dialect,
      new OutlastError({
        kind: 'auth',
        status: 401,
        code: SPECIFIC_CODES.GATEWAY_KEY,
        message:
          'invalid or missing gateway key: send it as `Authorization: Bearer <key>`, `x-api-key: <key>` or `x-goog-api-key: <key>`',
      }),
      newRequestId(),
    );
  };
}
