import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { OutlastError } from '../errors/index.ts';
import { abortReason, createDeadline } from './deadline.ts';
import { createFakeClock, type FakeClock } from './fake-clock.ts';

let clock: FakeClock;
const target = { provider: 'anthropic', model: 'claude-x' };
const budgets = { connect: 1000, headers: 2000, firstToken: 12_000, idle: 5000, total: 60_000 };

afterEach(() => {
  expect(clock.pendingTimers()).toBe(0);
});

function reasonOf(signal: AbortSignal): OutlastError {
  expect(signal.aborted).toBe(true);
  expect(OutlastError.isInstance(signal.reason)).toBe(true);
  return signal.reason as OutlastError;
}

describe('createDeadline', () => {
  it('aborts at the deadline with a timeout reason naming the deadline and its limit', () => {
    clock = createFakeClock();
    const deadline = createDeadline({ clock, timeoutMs: 30_000 });
    expect(deadline.expiresAt).toBe(clock.now() + 30_000);
    clock.advance(10_000);
    expect(deadline.remainingMs()).toBe(20_000);
    expect(deadline.signal.aborted).toBe(false);
    clock.advance(20_000);
    const reason = reasonOf(deadline.signal);
    expect(reason).toMatchObject({
      kind: 'timeout',
      phase: 'deadline',
      limitMs: 30_000,
      code: 'OUTLAST_TIMEOUT_DEADLINE',
    });
    expect(deadline.remainingMs()).toBe(0);
    deadline.dispose();
  });

  it('has no deadline when no timeout is given', () => {
    clock = createFakeClock();
    const deadline = createDeadline({ clock });
    expect(deadline.expiresAt).toBe(Number.POSITIVE_INFINITY);
    expect(deadline.remainingMs()).toBe(Number.POSITIVE_INFINITY);
    expect(clock.pendingTimers()).toBe(0);
    deadline.dispose();
  });

  it('turns a caller abort into a cancelled reason carrying the caller reason', () => {
    clock = createFakeClock();
    const caller = new AbortController();
    const deadline = createDeadline({ clock, signal: caller.signal, timeoutMs: 30_000 });
    const scope = deadline.attempt(budgets, target);
    scope.enter('first_token');
    const why = new Error('user left');
    caller.abort(why);
    const reason = reasonOf(deadline.signal);
    expect(reason.kind).toBe('cancelled');
    expect(reason.cause).toBe(why);
    expect(scope.signal.reason).toBe(reason);
    // Aborting cleared the deadline and phase timers at once.
    expect(clock.pendingTimers()).toBe(0);
    scope.dispose();
    deadline.dispose();
  });

  it('is born aborted when the caller signal already is', () => {
    clock = createFakeClock();
    const caller = new AbortController();
    caller.abort('gone');
    const deadline = createDeadline({ clock, signal: caller.signal, timeoutMs: 1000 });
    expect(reasonOf(deadline.signal)).toMatchObject({ kind: 'cancelled', cause: 'gone' });
    const scope = deadline.attempt(budgets, target);
    expect(scope.signal.aborted).toBe(true);
    scope.dispose();
    deadline.dispose();
  });

  it('leaves no listener on the caller signal once disposed', () => {
    clock = createFakeClock();
    const caller = new AbortController();
    const deadline = createDeadline({ clock, signal: caller.signal, timeoutMs: 1000 });
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    deadline.dispose();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects a bad timeout at construction, naming the option', () => {
    clock = createFakeClock();
    expect(() => createDeadline({ clock, timeoutMs: -1 })).toThrow(/timeoutMs.*-1/);
  });
});

describe('AttemptScope phases', () => {
  const cases = [
    [
      'connect',
      1000,
      'OUTLAST_TIMEOUT_CONNECT',
      'anthropic/claude-x could not be connected to within 1000 ms',
    ],
    [
      'headers',
      2000,
      'OUTLAST_TIMEOUT_HEADERS',
      'anthropic/claude-x sent no response headers within 2000 ms',
    ],
    [
      'first_token',
      12_000,
      'OUTLAST_TIMEOUT_FIRST_TOKEN',
      'anthropic/claude-x sent no first token within 12000 ms',
    ],
    ['idle', 5000, 'OUTLAST_TIMEOUT_IDLE', 'anthropic/claude-x went silent mid-stream for 5000 ms'],
  ] as const;

  for (const [phase, limit, code, message] of cases) {
    it(`aborts with the ${phase} phase, its limit, code and target`, () => {
      clock = createFakeClock();
      const deadline = createDeadline({ clock, timeoutMs: 120_000 });
      const scope = deadline.attempt(budgets, target);
      scope.enter(phase);
      clock.advance(limit - 1);
      expect(scope.signal.aborted).toBe(false);
      clock.advance(1);
      expect(reasonOf(scope.signal)).toMatchObject({
        kind: 'timeout',
        phase,
        limitMs: limit,
        code,
        provider: 'anthropic',
        model: 'claude-x',
        message,
        retryable: true,
      });
      // The attempt's phase does not abort the whole call.
      expect(deadline.signal.aborted).toBe(false);
      scope.dispose();
      deadline.dispose();
    });
  }

  it('clears the previous phase timer when entering the next', () => {
    clock = createFakeClock();
    const deadline = createDeadline({ clock });
    const scope = deadline.attempt({ connect: 1000, headers: 5000 }, target);
    scope.enter('connect');
    clock.advance(900);
    scope.enter('headers');
    clock.advance(4000);
    expect(scope.signal.aborted).toBe(false);
    expect(scope.phase).toBe('headers');
    clock.advance(1000);
    expect(reasonOf(scope.signal).phase).toBe('headers');
    scope.dispose();
    deadline.dispose();
  });

  it('touch restarts the idle timer, so a steady stream never times out', () => {
    clock = createFakeClock();
    const deadline = createDeadline({ clock });
    const scope = deadline.attempt({ firstToken: 3000, idle: 1000 }, target);
    scope.enter('first_token');
    clock.advance(2500);
    for (let i = 0; i < 20; i++) {
      scope.touch();
      clock.advance(900);
    }
    expect(scope.signal.aborted).toBe(false);
    expect(scope.phase).toBe('idle');
    clock.advance(100);
    expect(reasonOf(scope.signal).phase).toBe('idle');
    scope.dispose();
    deadline.dispose();
  });

  it('keeps one idle timer however often it is touched, and still expires a full idle budget after the last touch', () => {
    clock = createFakeClock();
    const deadline = createDeadline({ clock });
    const scope = deadline.attempt({ idle: 1000 }, target);
    scope.touch();
    const timers = clock.pendingTimers();
    for (let i = 0; i < 50; i++) {
      clock.advance(10);
      scope.touch();
    }
    expect(clock.pendingTimers()).toBe(timers);
    clock.advance(999);
    expect(scope.signal.aborted).toBe(false);
    clock.advance(1);
    expect(reasonOf(scope.signal)).toMatchObject({ phase: 'idle', limitMs: 1000 });
    expect(clock.pendingTimers()).toBe(0);
    scope.dispose();
    deadline.dispose();
  });

  it('aborts on its own total budget when that is nearer than the deadline', () => {
    clock = createFakeClock();
    const deadline = createDeadline({ clock, timeoutMs: 100_000 });
    const scope = deadline.attempt({ total: 20_000, idle: 10_000 }, target);
    for (let i = 0; i < 4; i++) {
      scope.touch();
      clock.advance(5000);
    }
    expect(reasonOf(scope.signal)).toMatchObject({
      phase: 'total',
      limitMs: 20_000,
      code: 'OUTLAST_TIMEOUT_TOTAL',
    });
    expect(scope.elapsedMs()).toBe(20_000);
    scope.dispose();
    deadline.dispose();
  });

  it('says deadline when the call deadline fires inside an attempt', () => {
    clock = createFakeClock();
    const deadline = createDeadline({ clock, timeoutMs: 30_000 });
    clock.advance(25_000);
    const scope = deadline.attempt({ total: 60_000, firstToken: 12_000 }, target);
    scope.enter('first_token');
    clock.advance(5000);
    const reason = reasonOf(scope.signal);
    expect(reason).toMatchObject({ kind: 'timeout', phase: 'deadline', limitMs: 30_000 });
    expect(reason).toBe(deadline.signal.reason);
    expect(clock.pendingTimers()).toBe(0);
    scope.dispose();
    deadline.dispose();
  });

  it('abort(reason) aborts only the attempt, with that reason', () => {
    clock = createFakeClock();
    const deadline = createDeadline({ clock, timeoutMs: 1000 });
    const scope = deadline.attempt(budgets, target);
    scope.enter('connect');
    scope.abort('lost the race');
    expect(scope.signal.reason).toBe('lost the race');
    expect(deadline.signal.aborted).toBe(false);
    scope.enter('headers'); // no timer on an aborted scope
    scope.dispose();
    deadline.dispose();
  });

  it('dispose clears timers, is idempotent and does not abort the attempt', () => {
    clock = createFakeClock();
    const deadline = createDeadline({ clock, timeoutMs: 1000 });
    const scope = deadline.attempt(budgets, target);
    scope.enter('first_token');
    expect(clock.pendingTimers()).toBe(3);
    scope.dispose();
    scope.dispose();
    expect(scope.signal.aborted).toBe(false);
    expect(clock.pendingTimers()).toBe(1);
    deadline.dispose();
  });

  it('leaves no listeners on the call signal across many attempts', () => {
    clock = createFakeClock();
    const caller = new AbortController();
    const deadline = createDeadline({ clock, signal: caller.signal, timeoutMs: 1_000_000 });
    for (let i = 0; i < 500; i++) {
      const scope = deadline.attempt(budgets, target);
      scope.enter('connect');
      if (i % 2 === 0) clock.advance(1000); // half of them time out in connect
      scope.dispose();
    }
    expect(getEventListeners(deadline.signal, 'abort')).toHaveLength(0);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    expect(clock.pendingTimers()).toBe(1);
    deadline.dispose();
  });

  it('deadline dispose also disposes attempts left open', () => {
    clock = createFakeClock();
    const deadline = createDeadline({ clock, timeoutMs: 1000 });
    deadline.attempt(budgets, target).enter('connect');
    deadline.dispose();
    expect(getEventListeners(deadline.signal, 'abort')).toHaveLength(0);
  });
});

describe('abortReason', () => {
  it('returns an OutlastError reason as is and wraps foreign ones as cancelled', () => {
    clock = createFakeClock();
    const typed = new OutlastError({ kind: 'timeout', message: 't', phase: 'idle' });
    expect(abortReason(AbortSignal.abort(typed))).toBe(typed);
    const dom = AbortSignal.abort();
    const wrapped = abortReason(dom);
    expect(wrapped.kind).toBe('cancelled');
    expect(wrapped.cause).toBe(dom.reason);
  });
});
