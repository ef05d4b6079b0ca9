import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeFirstIssue, leafOf, leavesOf } from './zod-issues.ts';

const issuesOf = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected the value to be refused');
  return result.error;
};

describe('zod issues as messages', () => {
  const stream = z.union([
    z.enum(['continue', 'error']),
    z.strictObject({
      onInterrupt: z.enum(['continue', 'error']).optional(),
      upstream: z.boolean().optional(),
    }),
  ]);

  it('follows a union into the branch that went furthest into the value', () => {
    const error = issuesOf(z.object({ stream }), { stream: { upstream: 'yes' } });
    expect(leafOf(error.issues[0]!).path).toEqual(['stream', 'upstream']);
    expect(describeFirstIssue(error)).toBe('stream.upstream: expected boolean, received string');
  });

  it('keeps every problem of that branch', () => {
    const error = issuesOf(stream, { upstream: 'yes', onInterrupt: 'retry' });
    expect(leavesOf(error.issues[0]!).map((l) => l.path.join('.'))).toEqual(['onInterrupt', 'upstream']);
  });

  it('prefers a refinement that read the value over a branch of another type', () => {
    const fault = z.union([
      z.string().refine((s) => s === '500', { message: 'unknown fault' }),
      z.object({ type: z.string() }),
    ]);
    expect(describeFirstIssue(issuesOf(fault, 'teapot'), 'faults.0')).toBe('faults.0: unknown fault');
  });

  it('keeps the union’s own message when no branch applied', () => {
    const timeout = z.union([z.enum(['auto', 'quick']), z.number()], { error: 'expected a profile or ms' });
    expect(describeFirstIssue(issuesOf(timeout, true), 'timeout')).toBe('timeout: expected a profile or ms');
  });
});
