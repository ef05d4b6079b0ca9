/**
 * How a balanced group orders its members for one call: the first is the member the call goes
 * to, the rest are its fallbacks within the group, in the order the strategy ranks them. Pure
 * choices over counters and the members' load; no I/O. One balancer per group, per instance.
 */
import type { MemberLoad } from './member-load.ts';

export const BALANCE_STRATEGIES = ['weighted', 'round-robin', 'least-busy', 'latency'] as const;
export type BalanceStrategy = (typeof BALANCE_STRATEGIES)[number];

export interface Balancer {
  /** A permutation of the member indexes `0..n-1` for the next call, its pick first. */
  order(): number[];
}

export interface BalancerOptions {
  readonly strategy: BalanceStrategy;
  /** Member keys (`provider/model`), as the group lists them. */
  readonly members: readonly string[];
  /** For `weighted`: one positive weight per member; 1 each when absent. */
  readonly weights?: readonly number[];
  /** For `least-busy` and `latency`. */
  readonly load: MemberLoad;
  readonly now: () => number;
  /** In [0, 1): the two members `latency` compares. */
  readonly random: () => number;
}

export function createBalancer(options: BalancerOptions): Balancer {
  const { members } = options;
  if (members.length === 0) throw new RangeError('a balanced group needs at least one member');
  switch (options.strategy) {
    case 'weighted':
      return smoothWeighted(options.weights ?? members.map(() => 1));
    case 'round-robin':
      return roundRobin(members.length);
    case 'least-busy':
      return leastBusy(options);
    case 'latency':
      return powerOfTwoChoices(options);
  }
}

const identity = (n: number) => Array.from({ length: n }, (_, i) => i);

/** `0..n-1` starting at `start`: the natural order of a rotation. */
const rotation = (n: number, start: number) => identity(n).map((i) => (start + i) % n);

/**
 * nginx's smooth weighted round-robin: every pick adds each weight to its member's credit, the
 * member with the most credit is picked and pays the total back. Over any run of `sum(weights)`
 * picks each member is picked exactly its weight's number of times, spread out rather than in
 * bursts (weights 5:1:1 give a a b a c a a, not a a a a a b c).
 */
function smoothWeighted(weights: readonly number[]): Balancer {
  for (const w of weights)
    if (!(w > 0) || !Number.isFinite(w)) throw new RangeError(`weights must be > 0, got ${w}`);
  const credit = weights.map(() => 0);
  const total = weights.reduce((a, b) => a + b, 0);
  return {
    order() {
      for (let i = 0; i < weights.length; i++) credit[i]! += weights[i]!;
      // The fallbacks: the members with the most credit left are the next ones due.
      const ranked = identity(weights.length).sort((a, b) => credit[b]! - credit[a]! || a - b);
      credit[ranked[0]!]! -= total;
      return ranked;
    },
  };
}

function roundRobin(n: number): Balancer {
  let next = 0;
  return {
    order() {
      const order = rotation(n, next);
      next = (next + 1) % n;
      return order;
    },
  };
}

/** Fewest calls in flight first; ties rotate, so equally idle members share the calls. */
function leastBusy(options: BalancerOptions): Balancer {
  const { members, load } = options;
  const turn = roundRobin(members.length);
  return {
    order() {
      const busy = members.map((key) => load.inFlight(key));
      // Array.prototype.sort is stable: the rotation breaks ties.
      return turn.order().sort((a, b) => busy[a]! - busy[b]!);
    },
  };
}

/**
 * The power of two choices over peak-EWMA cost (Finagle's and Linkerd's balancer): two members
 * drawn at random, the cheaper one taken, where cost = expected time to first token × (calls in
 * flight + 1). Comparing two random members rather than taking the cheapest of all keeps
 * instances that see the same numbers from all herding onto one member. A member never measured
 * is costed as the best measured one, so it gets tried; the others follow cheapest first.
 */
function powerOfTwoChoices(options: BalancerOptions): Balancer {
  const { members, load, now, random } = options;
  const n = members.length;
  const draw = (below: number) => Math.min(below - 1, Math.floor(random() * below));
  return {
    order() {
      const at = now();
      const measured = members.map((key) => load.latency(key, at));
      let best: number | undefined;
      for (const m of measured) if (m !== undefined && (best === undefined || m < best)) best = m;
      const cost = members.map((key, i) => {
        // 1 ms floor: an all-zero estimate would make calls in flight count for nothing.
        const expected = Math.max(1, measured[i] ?? best ?? 0, load.oldestWait(key, at));
        return expected * (load.inFlight(key) + 1);
      });
      // Cheaper first; at equal cost the unmeasured member first (it is the one to learn about).
      const cheaper = (a: number, b: number) =>
        cost[a]! - cost[b]! || Number(measured[a] !== undefined) - Number(measured[b] !== undefined);
      const ranked = identity(n).sort((a, b) => cheaper(a, b) || a - b);
      if (n < 3) return ranked;
      const first = draw(n);
      const second = (first + 1 + draw(n - 1)) % n;
      const pick = cheaper(second, first) < 0 ? second : first;
      return [pick, ...ranked.filter((i) => i !== pick)];
    },
  };
}
