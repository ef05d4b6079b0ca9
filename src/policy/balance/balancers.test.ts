import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../fake-clock.ts';
import { createSeededRandom } from '../seeded-random.ts';
import { type BalanceStrategy, createBalancer } from './balancers.ts';
import { createMemberLoad } from './member-load.ts';

function setup(strategy: BalanceStrategy, members: string[], weights?: number[]) {
  const clock = createFakeClock();
  const load = createMemberLoad({ now: clock.now });
  const balancer = createBalancer({
    strategy,
    members,
    ...(weights ? { weights } : {}),
    load,
    now: clock.now,
    random: createSeededRandom(11),
  });
  const pick = () => members[balancer.order()[0]!]!;
  return { clock, load, balancer, pick };
}

const tally = (picks: string[]) => {
  const out: Record<string, number> = {};
  for (const p of picks) out[p] = (out[p] ?? 0) + 1;
  return out;
};

describe('every strategy', () => {
  it.each(['weighted', 'round-robin', 'least-busy', 'latency'] as const)(
    '%s orders all members, each once, its pick first',
    (strategy) => {
      const { balancer } = setup(strategy, ['a/m', 'b/m', 'c/m', 'd/m']);
      for (let i = 0; i < 50; i++) expect([...balancer.order()].sort()).toEqual([0, 1, 2, 3]);
    },
  );
});

describe('weighted', () => {
  it('over 7000 picks, weights 5:1:1 give exactly 5000, 1000 and 1000', () => {
    const { pick } = setup('weighted', ['a/m', 'b/m', 'c/m'], [5, 1, 1]);
    expect(tally(Array.from({ length: 7000 }, pick))).toEqual({ 'a/m': 5000, 'b/m': 1000, 'c/m': 1000 });
  });

  it('spreads the heavy member out instead of sending it a burst (5:1:1 -> a a b a c a a)', () => {
    const { pick } = setup('weighted', ['a', 'b', 'c'], [5, 1, 1]);
    expect(Array.from({ length: 7 }, pick).join(' ')).toBe('a a b a c a a');
  });

  it('any window of sum(weights) consecutive picks is fair within one pick per member (3:2)', () => {
    const { pick } = setup('weighted', ['a', 'b'], [3, 2]);
    const picks = Array.from({ length: 500 }, pick);
    for (let start = 0; start + 5 <= picks.length; start++) {
      const a = picks.slice(start, start + 5).filter((p) => p === 'a').length;
      expect(Math.abs(a - 3)).toBeLessThanOrEqual(1);
    }
  });

  it('fallbacks are the members next due: with 1:1 the other member comes second', () => {
    const { balancer } = setup('weighted', ['a', 'b'], [1, 1]);
    expect(balancer.order()).toEqual([0, 1]);
    expect(balancer.order()).toEqual([1, 0]);
  });

  it('rejects a weight that is not positive', () => {
    expect(() => setup('weighted', ['a', 'b'], [1, 0])).toThrow(/weights must be > 0, got 0/);
  });
});

describe('round-robin', () => {
  it('takes each member in turn and falls back to the next ones in rotation', () => {
    const { balancer } = setup('round-robin', ['a', 'b', 'c']);
    expect([balancer.order(), balancer.order(), balancer.order(), balancer.order()]).toEqual([
      [0, 1, 2],
      [1, 2, 0],
      [2, 0, 1],
      [0, 1, 2],
    ]);
  });
});

describe('least-busy', () => {
  it('under uneven latency the slow member holds fewer new calls: in flight stays balanced', () => {
    // a answers in 100 ms, b in 900 ms; a call arrives every 50 ms and stays in flight that long.
    const { clock, load, pick } = setup('least-busy', ['a', 'b']);
    const latency: Record<string, number> = { a: 100, b: 900 };
    const open: Array<{ until: number; end: () => void }> = [];
    const picks: string[] = [];
    let maxSpread = 0;
    for (let i = 0; i < 400; i++) {
      clock.advance(50);
      for (const call of open.splice(0)) {
        if (call.until <= clock.now()) call.end();
        else open.push(call);
      }
      const member = pick();
      picks.push(member);
      const ticket = load.begin(member);
      open.push({ until: clock.now() + latency[member]!, end: () => ticket.end('ok') });
      maxSpread = Math.max(maxSpread, Math.abs(load.inFlight('a') - load.inFlight('b')));
    }
    const counts = tally(picks);
    // The fast member serves most calls; the in-flight counts never drift more than one apart.
    expect(counts.a!).toBeGreaterThan(3 * counts.b!);
    expect(maxSpread).toBeLessThanOrEqual(1);
  });

  it('equally idle members share the calls in turn', () => {
    const { pick } = setup('least-busy', ['a', 'b', 'c']);
    expect(tally(Array.from({ length: 300 }, pick))).toEqual({ a: 100, b: 100, c: 100 });
  });
});

describe('latency (power of two choices over peak EWMA)', () => {
  /** One sequential call to the picked member that takes `ms` to its first token. */
  function call(s: ReturnType<typeof setup>, ttft: Record<string, number>): string {
    const member = s.pick();
    const ticket = s.load.begin(member);
    s.clock.advance(ttft[member]!);
    ticket.firstToken(ttft[member]!);
    ticket.end('ok');
    return member;
  }

  it('tries every unmeasured member before settling', () => {
    const s = setup('latency', ['a', 'b', 'c']);
    const first = Array.from({ length: 3 }, () => call(s, { a: 50, b: 50, c: 50 }));
    expect([...first].sort()).toEqual(['a', 'b', 'c']);
  });

  it('moves traffic off a member that turns slow after its first slow answer, and back within 45 s of its recovery', () => {
    const s = setup('latency', ['a', 'b']);
    const ttft = { a: 50, b: 50 };
    for (let i = 0; i < 20; i++) call(s, ttft);
    // b turns slow: first token after 3 s.
    ttft.b = 3000;
    const during = Array.from({ length: 100 }, () => call(s, ttft));
    // At most one call meets the slow member before its estimate jumps to 3 s (peak-sensitive).
    expect(during.filter((m) => m === 'b').length).toBeLessThanOrEqual(1);
    // b recovers. Its estimate decays (10 s decay time) until it is tried again: within
    // ln(3000 / 50) x 10 s = 41 s of calls, and from then on it shares the calls again.
    ttft.b = 50;
    const recoveredAt = s.clock.now();
    let backAt: number | undefined;
    while (backAt === undefined && s.clock.now() - recoveredAt < 60_000) {
      if (call(s, ttft) === 'b') backAt = s.clock.now() - recoveredAt;
    }
    expect(backAt).toBeDefined();
    expect(backAt!).toBeLessThanOrEqual(45_000);
    const after = Array.from({ length: 200 }, () => call(s, ttft));
    expect(after.filter((m) => m === 'b').length).toBeGreaterThan(60);
  });

  it('sees a member as slow while its first slow answer is still on the way (concurrent calls)', () => {
    const s = setup('latency', ['a', 'b']);
    for (let i = 0; i < 10; i++) call(s, { a: 50, b: 50 });
    // b hangs from now on: its ticket stays open. Calls every 100 ms, a answers in 50 ms.
    const stuck = s.load.begin('b');
    const picks: string[] = [];
    for (let i = 0; i < 50; i++) {
      s.clock.advance(100);
      picks.push(call(s, { a: 50, b: 50 }));
    }
    expect(picks.filter((m) => m === 'b').length).toBeLessThanOrEqual(1);
    stuck.end('cancelled');
  });

  it('weighs calls in flight: equally fast members share a concurrent load', () => {
    const s = setup('latency', ['a', 'b']);
    for (let i = 0; i < 10; i++) call(s, { a: 100, b: 100 });
    const open = Array.from({ length: 10 }, () => {
      const m = s.pick();
      return { m, t: s.load.begin(m) };
    });
    expect(tally(open.map((o) => o.m))).toEqual({ a: 5, b: 5 });
    for (const o of open) o.t.end('cancelled');
  });

  it('with three or more members, compares two drawn at random, never always the same', () => {
    const s = setup('latency', ['a', 'b', 'c', 'd']);
    for (let i = 0; i < 40; i++) call(s, { a: 60, b: 50, c: 70, d: 80 });
    const counts = tally(Array.from({ length: 400 }, () => call(s, { a: 60, b: 50, c: 70, d: 80 })));
    // The fastest wins every draw it is in (half of them), the slowest none.
    expect(counts.b!).toBeGreaterThan(150);
    expect(counts.d ?? 0).toBeLessThan(counts.b!);
  });

  it('a failure before the first token counts as slow, not fast', () => {
    const s = setup('latency', ['a', 'b']);
    for (let i = 0; i < 10; i++) call(s, { a: 100, b: 100 });
    const t = s.load.begin('b');
    s.clock.advance(5);
    t.end('failed');
    expect(s.load.latency('b', s.clock.now())!).toBeGreaterThan(s.load.latency('a', s.clock.now())!);
  });
});
