/** zod at the trust boundary: a failed parse becomes an OutlastError naming the field path. */
import type { z } from 'zod';
import { type ErrorKind, OutlastError } from '../../errors/index.ts';
import type { WireFormat } from '../canonical/index.ts';

type Issue = z.core.$ZodIssue;

function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  return [prefix, ...path.map(String)].filter((p) => p !== '').join('.');
}

// A union names no field by itself: follow the branch that got furthest into the value.
function describeIssue(issue: Issue, prefix: string): string {
  const here = joinPath(prefix, issue.path);
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    let best: Issue | undefined;
    for (const branch of issue.errors) {
      const first = branch[0];
      if (first && first.path.length > (best?.path.length ?? 0)) best = first;
    }
    if (best) return describeIssue(best, here);
  }
  const message = issue.message.replace(/^Invalid input: /, '');
  return here === '' ? message : `${here}: ${message}`;
}

/** Parses `value` or throws an OutlastError of `kind` whose message starts with the field path. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  options: { path?: string; kind: ErrorKind; what?: string },
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const detail = first ? describeIssue(first, options.path ?? '') : 'invalid';
  throw new OutlastError({
    kind: options.kind,
    message: options.what ? `${options.what}: ${detail}` : detail,
    providerMessage: detail,
    cause: result.error,
  });
}

/** A bad_request naming a field a format cannot carry (or that the request got wrong). */
export function badRequest(path: string, reason: string): OutlastError {
  const message = `${path}: ${reason}`;
  return new OutlastError({ kind: 'bad_request', message, providerMessage: message });
}

/** A response body or stream event a codec of `format` cannot read. */
export function invalidResponseFrom(format: WireFormat, reason: string, cause?: unknown): OutlastError {
  return new OutlastError({
    kind: 'invalid_response',
    message: `${format}-format upstream: ${reason}`,
    cause,
  });
}
