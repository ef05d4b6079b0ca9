/**
 * The breaker with its defaults, on a fake clock: a burst of failures from one moment never
 * opens it; a target that is really down still does, within the stated time; the failure-rate
 * window needs distinct calls spread over time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { describeBreakerOpening } from './breaker-description.ts';
import { type BreakerPermit, createCircuitBreaker } from './circuit-breaker.ts';
import { createFakeClock, type FakeClock } from './fake-clock.ts';

type Allowed = Extract<BreakerPermit, { allowed: true }>;
let clock: FakeClock;

afterEach(() => {
  expect(clock.pendingTimers()).toBe(0);
});

function admitted(permit: BreakerPermit): Allowed {
  if (!permit.allowed) throw new Error(`refused until ${permit.retryAtMs}`);
  return permit;
}

function setup(options: Parameters<typeof createCircuitBreaker>[0] = {}) {
  clock = createFakeClock(Date.UTC(2026, 11, 7, 12, 0, 0));
  return createCircuitBreaker({ clock, key: 'openai/gpt-4.1', ...options });
}

describe('a burst from one moment', () => {
  it('50 calls in flight whose first 6 requests answer 500 together: the breaker stays closed and every retry is admitted', () => {
    const breaker = setup();
    const calls = Array.from({ length: 50 }, () => admitted(breaker.acquire()));
    // The worst order: all six failures land before any success.
    for (const permit of calls.slice(0, 6)) permit.release('failure');
    expect(breaker.state()).toBe('closed');
    for (const permit of calls.slice(6)) permit.release('success');
    // Their retries, after the default backoff (250-500 ms), are admitted and succeed.
    clock.advance(300);
    for (let i = 0; i < 6; i++) admitted(breaker.acquire({ retry: true })).release('success');
    expect(breaker.state()).toBe('closed');
  });

  it('stays closed even when the retries of the burst fail too, within the span', () => {
    const breaker = setup();
    const calls = Array.from({ length: 50 }, () => admitted(breaker.acquire()));
    for (const permit of calls.slice(0, 6)) permit.release('failure');
    // Nothing succeeds for a moment: the burst's retries fail as well, 12 in a row over 600 ms.
    clock.advance(600);
    for (let i = 0; i < 6; i++) admitted(breaker.acquire({ retry: true })).release('failure');
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 12 });
    for (const permit of calls.slice(6)) permit.release('success');
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });

  it('a burst above the failure rate over the minimum calls does not open it either', () => {
    const breaker = setup({ consecutiveFailures: 1000 });
    const calls = Array.from({ length: 30 }, () => admitted(breaker.acquire()));
    for (const [i, permit] of calls.entries()) permit.release(i % 3 === 0 ? 'success' : 'failure');
    // 20 of 30 failed (67% ≥ 50%, 30 calls ≥ 10), all at one instant.
    expect(breaker.state()).toBe('closed');
  });
});

describe('a target that is really down', () => {
  it('opens within 1 s of its first failure when calls fail fast one after another', () => {
    const breaker = setup();
    const start = clock.now();
    let attempts = 0;
    while (breaker.state() === 'closed') {
      admitted(breaker.acquire()).release('failure');
      attempts++;
      if (breaker.state() === 'closed') clock.advance(50);
    }
    expect(clock.now() - start).toBe(1000);
    expect(attempts).toBe(21);
    expect(breaker.opening()).toEqual({
      openedAt: start + 1000,
      state: 'open',
      retryAtMs: start + 1000 + 5000,
      evidence: { reason: 'consecutive_failures', failures: 21, spanMs: 1000 },
    });
    expect(describeBreakerOpening(breaker.opening()!)).toBe(
      'breaker open since 12:00:01 UTC, 21 failures in a row over 1.0 s',
    );
  });

  it('opens on its 5th failure in a row when failures come slowly (timeouts)', () => {
    const breaker = setup();
    for (let i = 0; i < 4; i++) {
      admitted(breaker.acquire()).release('failure');
      clock.advance(5000);
    }
    expect(breaker.state()).toBe('closed');
    admitted(breaker.acquire()).release('failure');
    expect(breaker.opening()?.evidence).toEqual({
      reason: 'consecutive_failures',
      failures: 5,
      spanMs: 20_000,
    });
  });

  it('opens under concurrent load once its failures span 1 s, refusing calls from then on', () => {
    const breaker = setup();
    const start = clock.now();
    // Every 100 ms, 10 calls in flight together, all failing.
    while (breaker.state() === 'closed') {
      const wave = Array.from({ length: 10 }, () => breaker.acquire());
      for (const permit of wave) if (permit.allowed) permit.release('failure');
      if (breaker.state() === 'closed') clock.advance(100);
    }
    expect(clock.now() - start).toBe(1000);
    const refused = breaker.acquire();
    expect(refused).toMatchObject({ allowed: false, openedAt: start + 1000, state: 'open' });
  });
});

describe('the failure-rate window', () => {
  // consecutiveFailures is set out of reach in these tests, so only the rate can open the breaker.
  const alternate = (breaker: ReturnType<typeof setup>, failures: number, options?: { retry: boolean }) => {
    for (let i = 0; i < failures; i++) {
      admitted(breaker.acquire(options)).release('failure');
      clock.advance(100);
    }
  };

  it('needs distinct calls: retries of the same calls add attempts, not calls', () => {
    const breaker = setup({ consecutiveFailures: 1000, minimumCalls: 10 });
    // 4 calls, each failing here 3 times, 100 ms apart: 12 failed attempts over 1.1 s, but 4 calls.
    for (let call = 0; call < 4; call++) {
      alternate(breaker, 1);
      alternate(breaker, 2, { retry: true });
    }
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 12 });
    // 6 more distinct calls failing: the 6th makes 10 calls in the window, all failed, over 1.7 s.
    alternate(breaker, 5);
    expect(breaker.state()).toBe('closed');
    admitted(breaker.acquire()).release('failure');
    expect(breaker.opening()?.evidence).toEqual({
      reason: 'failure_rate',
      failures: 18,
      attempts: 18,
      calls: 10,
      spanMs: 1700,
    });
  });

  it('needs its failures spread over time: the same calls at one instant do not open it, over 1 s they do', () => {
    const once = setup({ consecutiveFailures: 1000, minimumCalls: 10 });
    for (let i = 0; i < 12; i++) admitted(once.acquire()).release(i % 2 === 0 ? 'failure' : 'success');
    expect(once.state()).toBe('closed');

    const spread = setup({ consecutiveFailures: 1000, minimumCalls: 10 });
    for (let i = 0; i < 12 && spread.state() === 'closed'; i++) {
      admitted(spread.acquire()).release(i % 2 === 0 ? 'failure' : 'success');
      clock.advance(100);
    }
    expect(spread.opening()?.evidence).toMatchObject({ reason: 'failure_rate', calls: 11, failures: 6 });
    const text = describeBreakerOpening(spread.opening()!);
    expect(text).toBe('breaker open since 12:00:01 UTC, 6 of 11 attempts failed over 1.0 s (11 calls)');
  });
});
