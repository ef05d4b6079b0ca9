/**
 * The balanced groups of every route, per engine instance: one balancer per group, and the load
 * (calls in flight, time to first token) of every target that is a group member. Calls in
 * flight and latency are this instance's facts and stay local; breakers and cooldowns, which
 * the passes over the route apply per member, are shared through the state store as ever.
 */
import {
  type Balancer,
  createBalancer,
  createMemberLoad,
  type LoadTicket,
} from '../../policy/balance/index.ts';
import type { Clock } from '../../policy/index.ts';
import type { ResolvedRoute, TargetRef } from '../routes.ts';
import type { EngineSettings } from '../settings.ts';

export interface Balancing {
  /** The route's targets in this call's order: each group's members ranked by its balancer. */
  order(route: ResolvedRoute): readonly TargetRef[];
  /** An attempt on `key` begins; counted only when `key` is a member of a group (bounded state). */
  begin(key: string): LoadTicket;
}

const UNCOUNTED: LoadTicket = { firstToken() {}, end() {} };

export function createBalancing(
  settings: Pick<EngineSettings, 'routes'>,
  deps: { clock: Clock; random: () => number },
): Balancing {
  const now = () => deps.clock.now();
  const load = createMemberLoad({ now });
  const members = new Set<string>();
  const balancers = new Map<string, Balancer[]>();
  for (const [name, route] of Object.entries(settings.routes)) {
    if (route.groups.length === 0) continue;
    balancers.set(
      name,
      route.groups.map((group) => {
        const keys = route.targets.slice(group.start, group.start + group.size);
        for (const key of keys) members.add(key);
        return createBalancer({
          strategy: group.balance,
          members: keys,
          ...(group.weights ? { weights: group.weights } : {}),
          load,
          now,
          random: deps.random,
        });
      }),
    );
  }
  return {
    order(route) {
      const groupBalancers = balancers.get(route.name);
      if (!groupBalancers || route.groups.length !== groupBalancers.length) return route.targets;
      const ordered = [...route.targets];
      route.groups.forEach((group, g) => {
        const picks = groupBalancers[g]!.order();
        picks.forEach((member, i) => {
          ordered[group.start + i] = route.targets[group.start + member]!;
        });
      });
      return ordered;
    },
    begin: (key) => (members.has(key) ? load.begin(key) : UNCOUNTED),
  };
}
