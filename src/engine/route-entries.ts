/**
 * A route's entries (`provider/model` targets and balanced groups) as the flat list of targets
 * the engine's passes run over, with the spans of that list that are balanced groups.
 */
import type { BalanceStrategy } from '../policy/balance/index.ts';
import type { RouteEntryInput } from './config.ts';

/** A balanced group: the members at `start .. start + size - 1` of the route's target list. */
export interface RouteGroup {
  readonly start: number;
  readonly size: number;
  readonly balance: BalanceStrategy;
  /** For `weighted`: one per member. */
  readonly weights?: readonly number[];
}

export interface FlatRoute {
  /** Every target in the route's order, group members in the order the group lists them. */
  readonly targets: readonly string[];
  /** Where each target sits in the config, for messages (`routes.default.0.targets.1`). */
  readonly paths: readonly string[];
  readonly groups: readonly RouteGroup[];
}

type RouteInput = readonly RouteEntryInput[] | { readonly targets: readonly RouteEntryInput[] };

export function flattenRoute(name: string, route: RouteInput): FlatRoute {
  const entries = 'targets' in route ? route.targets : route;
  const base = 'targets' in route ? `routes.${name}.targets` : `routes.${name}`;
  const targets: string[] = [];
  const paths: string[] = [];
  const groups: RouteGroup[] = [];
  entries.forEach((entry, i) => {
    if (typeof entry === 'string') {
      targets.push(entry);
      paths.push(`${base}.${i}`);
      return;
    }
    const start = targets.length;
    const weights: number[] = [];
    entry.targets.forEach((member, j) => {
      const weighted = typeof member !== 'string';
      targets.push(weighted ? member.target : member);
      paths.push(`${base}.${i}.targets.${j}${weighted ? '.target' : ''}`);
      weights.push(weighted ? member.weight : 1);
    });
    groups.push({
      start,
      size: entry.targets.length,
      balance: entry.balance,
      ...(entry.balance === 'weighted' ? { weights } : {}),
    });
  });
  return { targets, paths, groups };
}
