/** Options validated with a zod schema, a failure turned into one readable line per problem. */
import type { z } from 'zod';
import { OutlastError, SPECIFIC_CODES } from '../errors/index.ts';
import { joinIssuePath, leavesOf } from '../errors/zod-issues.ts';

/** What the value at an issue's path was, for the message. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function show(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (value === undefined) return 'undefined';
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(value);
  }
}

/**
 * Parses with a schema and turns a failure into one readable error per problem, e.g.
 * `retry.attempts: expected a positive integer, got -1`. `root` prefixes the paths.
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, root = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues
    .flatMap((issue) => leavesOf(issue))
    .map((leaf) => {
      const path = joinIssuePath(root, leaf.path);
      const got = leaf.code === 'unrecognized_keys' ? '' : `, got ${show(valueAt(input, leaf.path))}`;
      return `${path || '(options)'}: ${leaf.message}${got}`;
    });
  throw new OutlastError({
    kind: 'bad_request',
    code: SPECIFIC_CODES.INVALID_OPTIONS,
    message: lines.join('; '),
  });
}
