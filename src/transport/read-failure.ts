/** What a failure while reading a body means: the scope's abort reason first, since it names the phase. */
import { OutlastError, targetLabel, toOutlastError } from '../errors/index.ts';
import { type AttemptScope, abortReason } from '../policy/deadline.ts';

export function readFailure(
  error: unknown,
  scope: AttemptScope,
  where: { provider: string; model: string; requestId?: string | undefined },
): OutlastError {
  if (scope.signal.aborted) return abortReason(scope.signal);
  return withTarget(toOutlastError(error, where), where);
}

/** A body that broke off after the 2xx: a cut stream, whatever the socket said. */
export function streamCut(
  error: unknown,
  where: { provider: string; model: string; requestId?: string | undefined },
  progress: string,
): OutlastError {
  const detail = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return new OutlastError({
    kind: 'stream_interrupted',
    message: `upstream ${targetLabel(where.provider, where.model)} stream broke off after ${progress}: ${typeof code === 'string' ? `${code} ` : ''}${detail}`,
    provider: where.provider,
    model: where.model,
    ...(where.requestId === undefined ? {} : { requestId: where.requestId }),
    cause: error,
  });
}

/** Adds the target (and request id) to an error that does not name them yet. */
export function withTarget(
  error: OutlastError,
  where: { provider: string; model: string; requestId?: string | undefined },
): OutlastError {
  if (error.provider && error.model && (error.requestId || !where.requestId)) return error;
  return error.with({
    provider: error.provider ?? where.provider,
    model: error.model ?? where.model,
    requestId: error.requestId ?? where.requestId,
  });
}
