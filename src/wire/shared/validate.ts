/** zod at the trust boundary: a failed parse becomes an OutlastError naming the field path. */
import type { z } from 'zod';
import { type ErrorKind, OutlastError } from '../../errors/index.ts';
import { describeFirstIssue } from '../../errors/zod-issues.ts';
import type { WireFormat } from '../canonical/index.ts';

/** Parses `value` or throws an OutlastError of `kind` whose message starts with the field path. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  options: { path?: string; kind: ErrorKind; what?: string },
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const detail = describeFirstIssue(result.error, options.path ?? '');
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

/** A provider-run tool (a server tool) sent towards a format that cannot run it. */
export function hostedElsewhere(
  tool: { name: string; hosted?: { format: WireFormat; definition: Record<string, unknown> } },
  path: string,
  target: string,
): OutlastError {
  const kind = String(tool.hosted?.definition.type ?? tool.name);
  return badRequest(
    `${path}.type`,
    `the ${tool.hosted?.format} server tool "${kind}" cannot run on ${target}`,
  );
}
