import type { OutlastError } from '../../errors/index.ts';

/**
 * The status to answer a client with for an error: the dialect's own status for its kind,
 * unless the upstream's status says the same thing more finely (413 rather than 400, 502
 * rather than 500), in which case that one is kept.
 */
export function finerStatus<T extends { status: number }>(base: T, error: OutlastError): T {
  const status = error.status;
  if (status === undefined) return base;
  if (error.kind === 'bad_request' && status >= 400 && status < 500 && status !== 429)
    return { ...base, status };
  if (error.kind === 'server' && status >= 500 && status !== 503 && status !== 529)
    return { ...base, status };
  return base;
}
