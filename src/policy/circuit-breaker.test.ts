import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBreakerStore } from './breaker-store.ts';
import { type BreakerPermit, type BreakerStateChange, createCircuitBreaker } from './circuit-breaker.ts';
import { createFakeClock, type FakeClock } from './fake-clock.ts';

let clock: FakeClock;

afterEach(() => {
  expect(clock.pendingTimers()).toBe(0);
});

type Allowed = Extract<BreakerPermit, { allowed: true }>;

function admitted(permit: BreakerPermit): Allowed {
  if (!permit.allowed) throw new Error(`expected the call to be admitted, retry at ${permit.retryAtMs}`);
  return permit;
}

// These tests are about counting, cooldowns, probes and the store, so failures at one instant
// may open the breaker (`minimumSpanMs: 0`); the span rule has its own tests, with the defaults,
// in circuit-breaker-burst.test.ts.
function setup(options: Parameters<typeof createCircuitBreaker>[0] = {}) {
  clock = createFakeClock(0);
  const breaker = createCircuitBreaker({ clock, key: 'anthropic/claude-x', minimumSpanMs: 0, ...options });
  const changes: BreakerStateChange[] = [];
  breaker.onStateChange((c) => changes.push(c));
  const call = (outcome: 'success' | 'failure' | 'ignored', long = false) =>
    admitted(breaker.acquire()).release(outcome, { longCooldown: long });
  const trip = () => {
    for (let i = 0; i < 5; i++) call('failure');
    expect(breaker.state()).toBe('open');
  };
  return { breaker, changes, call, trip };
}

describe('circuit breaker: closed', () => {
  it('opens after N consecutive failures and then rejects until the retry time', () => {
    const { breaker, changes, call } = setup();
    for (let i = 0; i < 4; i++) call('failure');
    expect(breaker.state()).toBe('closed');
    clock.advance(100);
    call('failure');
    expect(breaker.state()).toBe('open');
    expect(breaker.openedAt()).toBe(100);
    expect(breaker.retryAt()).toBe(5100);
    expect(changes).toEqual([
      {
        key: 'anthropic/claude-x',
        from: 'closed',
        to: 'open',
        reason: 'consecutive_failures',
        cooldownMs: 5000,
        at: 100,
        retryAt: 5100,
        openedAt: 100,
        evidence: { reason: 'consecutive_failures', failures: 5, spanMs: 100 },
      },
    ]);
    // A refusal says since when and why, for the caller's error.
    expect(breaker.acquire()).toEqual({
      allowed: false,
      retryAtMs: 5100,
      openedAt: 100,
      state: 'open',
      evidence: { reason: 'consecutive_failures', failures: 5, spanMs: 100 },
    });
  });

  it('a success resets the consecutive count', () => {
    const { breaker, call } = setup({ minimumCalls: 1000 });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) call('failure');
      call('success');
    }
    expect(breaker.state()).toBe('closed');
  });

  it('ignored outcomes count neither way', () => {
    const { breaker, call } = setup();
    for (let i = 0; i < 4; i++) call('failure');
    for (let i = 0; i < 20; i++) call('ignored');
    expect(breaker.snapshot().consecutiveFailures).toBe(4);
    call('failure');
    expect(breaker.state()).toBe('open');
  });

  it('opens on the failure rate only once the window holds the minimum number of calls', () => {
    const { breaker, changes, call } = setup({
      consecutiveFailures: 100,
      minimumCalls: 10,
      failureRate: 0.5,
    });
    // 9 calls, 5 of them failures: over the rate, under the minimum.
    for (let i = 0; i < 4; i++) {
      call('failure');
      call('success');
    }
    call('failure');
    expect(breaker.state()).toBe('closed');
    call('failure'); // 10 calls, 6 failures
    expect(breaker.state()).toBe('open');
    expect(changes.at(-1)?.reason).toBe('failure_rate');
  });

  it('stays closed while the failure rate is under the threshold', () => {
    const { breaker, call } = setup({ consecutiveFailures: 100, minimumCalls: 10, failureRate: 0.5 });
    for (let i = 0; i < 50; i++) {
      call('failure');
      call('success');
      call('success');
    }
    expect(breaker.state()).toBe('closed');
  });

  it('forgets failures that have slid out of the window', () => {
    const { breaker, call } = setup({ consecutiveFailures: 100, minimumCalls: 10, windowMs: 30_000 });
    for (let i = 0; i < 9; i++) call('failure');
    clock.advance(30_000);
    call('failure');
    expect(breaker.snapshot().window.reduce((n, b) => n + b.counts.failures, 0)).toBe(1);
    expect(breaker.state()).toBe('closed');
  });

  it('uses the long cooldown when an auth-like failure opens it', () => {
    const { breaker, call } = setup({ longCooldownMs: 300_000 });
    for (let i = 0; i < 4; i++) call('failure');
    call('failure', true);
    expect(breaker.retryAt()).toBe(300_000);
  });
});

describe('circuit breaker: open and half-open', () => {
  it('moves to half-open once the cooldown has passed and admits one probe', () => {
    const { breaker, changes, trip } = setup();
    trip();
    clock.advance(4999);
    expect(breaker.acquire().allowed).toBe(false);
    clock.advance(1);
    const probe = admitted(breaker.acquire());
    expect(probe.probe).toBe(true);
    expect(breaker.state()).toBe('half_open');
    expect(changes.at(-1)).toMatchObject({ from: 'open', to: 'half_open', reason: 'cooldown_elapsed' });
    probe.release('ignored');
  });

  it('closes when the probe succeeds, with a fresh window', () => {
    const { breaker, changes, trip } = setup();
    trip();
    clock.advance(5000);
    admitted(breaker.acquire()).release('success');
    expect(breaker.state()).toBe('closed');
    expect(breaker.openedAt()).toBeUndefined();
    expect(breaker.snapshot()).toMatchObject({ consecutiveFailures: 0, window: [], cooldownMs: 5000 });
    expect(changes.at(-1)).toMatchObject({ from: 'half_open', to: 'closed', reason: 'probe_succeeded' });
    expect(admitted(breaker.acquire()).probe).toBe(false);
  });

  it('re-opens on a failed probe with the cooldown doubled each time, up to the cap', () => {
    const { breaker, changes, trip } = setup({ cooldownMs: 5000, maxCooldownMs: 60_000 });
    trip();
    const cooldowns: number[] = [5000];
    for (let i = 0; i < 6; i++) {
      clock.advance(breaker.retryAt()! - clock.now());
      admitted(breaker.acquire()).release('failure');
      expect(breaker.state()).toBe('open');
      expect(breaker.retryAt()).toBe(clock.now() + breaker.snapshot().cooldownMs);
      cooldowns.push(breaker.snapshot().cooldownMs);
    }
    expect(cooldowns).toEqual([5000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000]);
    expect(changes.at(-1)).toMatchObject({
      from: 'half_open',
      to: 'open',
      reason: 'probe_failed',
      cooldownMs: 60_000,
    });
    // The open episode keeps the time it began.
    expect(breaker.openedAt()).toBe(0);
  });

  it('resets the cooldown to the base once closed', () => {
    const { breaker, trip } = setup();
    trip();
    clock.advance(5000);
    admitted(breaker.acquire()).release('failure'); // 10 s
    clock.advance(10_000);
    admitted(breaker.acquire()).release('failure'); // 20 s
    clock.advance(20_000);
    admitted(breaker.acquire()).release('success');
    expect(breaker.state()).toBe('closed');
    trip();
    expect(breaker.retryAt()! - clock.now()).toBe(5000);
  });

  it('admits at most halfOpenMaxProbes concurrent probes; everyone else skips', () => {
    const { breaker, trip } = setup({ halfOpenMaxProbes: 2 });
    trip();
    clock.advance(5000);
    const a = admitted(breaker.acquire());
    const b = admitted(breaker.acquire());
    const others = Array.from({ length: 10 }, () => breaker.acquire());
    expect(others.every((p) => !p.allowed)).toBe(true);
    expect(others[0]).toMatchObject({ allowed: false, retryAtMs: 10_000, state: 'half_open' });
    expect(breaker.snapshot().probesInFlight).toBe(2);
    // An ignored probe frees its slot without deciding anything.
    a.release('ignored');
    expect(breaker.state()).toBe('half_open');
    const c = admitted(breaker.acquire());
    expect(breaker.acquire().allowed).toBe(false);
    b.release('success');
    expect(breaker.state()).toBe('closed');
    // A late report from a probe of an episode that is over changes nothing.
    c.release('failure');
    expect(breaker.state()).toBe('closed');
  });

  it('re-arms the probe slot after a cooldown when a probe hangs, and ignores its late report', () => {
    const { breaker, trip } = setup();
    trip();
    clock.advance(5000);
    const hung = admitted(breaker.acquire());
    clock.advance(4999);
    expect(breaker.acquire().allowed).toBe(false);
    clock.advance(1);
    const second = admitted(breaker.acquire());
    expect(second.probe).toBe(true);
    hung.release('failure');
    expect(breaker.state()).toBe('half_open');
    second.release('success');
    expect(breaker.state()).toBe('closed');
  });

  it('ignores a stale success from a call admitted before the breaker opened', () => {
    const { breaker, call } = setup();
    const slow = admitted(breaker.acquire());
    for (let i = 0; i < 5; i++) call('failure');
    slow.release('success');
    expect(breaker.state()).toBe('open');
  });

  it('a stale failure reported while open does not push the retry time out', () => {
    const { breaker, call } = setup();
    const slow = admitted(breaker.acquire());
    for (let i = 0; i < 5; i++) call('failure');
    clock.advance(3000);
    slow.release('failure');
    expect(breaker.retryAt()).toBe(5000);
    expect(breaker.snapshot().cooldownMs).toBe(5000);
  });

  it('release is once only', () => {
    const { breaker } = setup();
    const permit = admitted(breaker.acquire());
    permit.release('failure');
    permit.release('failure');
    expect(breaker.snapshot().consecutiveFailures).toBe(1);
  });

  it('reset forces it closed', () => {
    const { breaker, changes, trip } = setup();
    trip();
    breaker.reset();
    expect(breaker.state()).toBe('closed');
    expect(changes.at(-1)).toMatchObject({ from: 'open', to: 'closed', reason: 'reset' });
  });
});

describe('circuit breaker: store', () => {
  it('keeps its state as plain serialisable data', () => {
    const { breaker, trip } = setup();
    trip();
    const { probesInFlight: _local, ...state } = breaker.snapshot();
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('breakers sharing a store agree, and hear each other as remote changes', () => {
    clock = createFakeClock(0);
    const store = createMemoryBreakerStore();
    const here = createCircuitBreaker({ clock, store, key: 't', minimumSpanMs: 0 });
    const there = createCircuitBreaker({ clock, store, key: 't', minimumSpanMs: 0 });
    const elsewhere = createCircuitBreaker({ clock, store, key: 'other' });
    const heard: BreakerStateChange[] = [];
    there.onStateChange((c) => heard.push(c));
    for (let i = 0; i < 5; i++) admitted(here.acquire()).release('failure');
    expect(there.state()).toBe('open');
    expect(there.acquire().allowed).toBe(false);
    expect(elsewhere.state()).toBe('closed');
    expect(heard).toEqual([expect.objectContaining({ from: 'closed', to: 'open', reason: 'remote' })]);
    here.dispose();
    there.dispose();
    elsewhere.dispose();
  });

  it('onStateChange returns an unsubscribe', () => {
    const { breaker, trip } = setup();
    const seen: BreakerStateChange[] = [];
    const off = breaker.onStateChange((c) => seen.push(c));
    off();
    trip();
    expect(seen).toEqual([]);
  });

  it('rejects bad options, naming them', () => {
    clock = createFakeClock(0);
    expect(() => createCircuitBreaker({ consecutiveFailures: 0 })).toThrow(/consecutiveFailures/);
    expect(() => createCircuitBreaker({ failureRate: 1.5 })).toThrow(/failureRate.*1.5/);
    expect(() => createCircuitBreaker({ cooldownMs: 10_000, maxCooldownMs: 5000 })).toThrow(/maxCooldownMs/);
    expect(() => createCircuitBreaker({ halfOpenMaxProbes: 0 })).toThrow(/halfOpenMaxProbes/);
  });
});
