/**
 * zod's issues as the messages outlast shows: `path: problem`, the path naming the field.
 * One reading for options, configs, request bodies, provider answers and mock scenarios.
 */
import type { z } from 'zod';

export type ZodIssue = z.core.$ZodIssue;

/** An issue reduced to what a message needs: where (from the root of the value) and what. */
export interface IssueLeaf {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly code: string;
}

const rank = (leaf: IssueLeaf) => leaf.path.length * 2 + (leaf.code === 'invalid_type' ? 0 : 1);

/**
 * The problems an issue stands for. A union reports "invalid input" at its own path; the
 * branch that got furthest into the value says more (`stream.upstream: …` rather than
 * `stream: invalid input`), so its issues are taken instead: the branch with the deepest
 * leaf, where at equal depth a type mismatch is the branch that did not apply. A union none
 * of whose branches applied (none went deeper or refused the value in a refinement) keeps
 * its own message, which may list what it takes.
 */
export function leavesOf(issue: ZodIssue, prefix: readonly PropertyKey[] = []): IssueLeaf[] {
  const path = [...prefix, ...issue.path];
  const own = [{ path, message: issue.message, code: issue.code }];
  if (issue.code !== 'invalid_union') return own;
  let best: { rank: number; leaves: IssueLeaf[] } | undefined;
  for (const branch of issue.errors) {
    const leaves = branch.flatMap((inner) => leavesOf(inner, path));
    const top = Math.max(...leaves.map(rank));
    if (!best || top > best.rank) best = { rank: top, leaves };
  }
  // A branch applied when it went deeper, or read the value and refused it (a refinement).
  const applied = best?.leaves.some((leaf) => leaf.path.length > path.length || leaf.code === 'custom');
  return applied && best ? best.leaves : own;
}

/** The one problem that says most about an issue (see `leavesOf`). */
export function leafOf(issue: ZodIssue, prefix: readonly PropertyKey[] = []): IssueLeaf {
  const leaves = leavesOf(issue, prefix);
  let best = leaves[0] as IssueLeaf;
  for (const leaf of leaves) if (rank(leaf) > rank(best)) best = leaf;
  return best;
}

/** `messages.0.content`: the path joined with dots, under an optional prefix. */
export function joinIssuePath(prefix: string, path: readonly PropertyKey[]): string {
  return [prefix, ...path.map(String)].filter((p) => p !== '').join('.');
}

/** `contents.0.parts.1.text: expected string, received number` for the first issue, under `prefix`. */
export function describeFirstIssue(error: z.ZodError, prefix = ''): string {
  const first = error.issues[0];
  if (!first) return prefix === '' ? 'invalid' : `${prefix}: invalid`;
  const leaf = leafOf(first);
  const where = joinIssuePath(prefix, leaf.path);
  const message = leaf.message.replace(/^Invalid input: /, '');
  return where === '' ? message : `${where}: ${message}`;
}
