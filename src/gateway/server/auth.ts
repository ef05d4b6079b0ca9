/** Gateway keys from `Authorization: Bearer` or `x-api-key`, checked against the configured hashes. */
import type { IncomingMessage } from 'node:http';
import { createKeyCheck } from '../config/hash-key.ts';

export type Authorize = (req: IncomingMessage) => boolean;

export function presentedKey(req: IncomingMessage): string | undefined {
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey !== '') return apiKey;
  const authorization = req.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match?.[1]) return match[1].trim();
  }
  return undefined;
}

/** No hashes: the gateway is open. */
export function createAuthorize(hashes: readonly string[]): Authorize {
  if (hashes.length === 0) return () => true;
  const check = createKeyCheck(hashes);
  return (req) => {
    const key = presentedKey(req);
    return key !== undefined && check(key);
  };
}
