import { afterEach, describe, expect, it } from 'vitest';
import {
  type BreakerState,
  type CircuitBreaker,
  createCircuitBreaker,
  createCooldowns,
  realClock,
} from '../policy/index.ts';
import { createStateHub, type StateHub } from './cluster-hub.ts';
import type { StateChannel, StateMessage } from './cluster-protocol.ts';
import { createClusterState } from './cluster-state.ts';
import type { SharedState } from './types.ts';

/**
 * Two ends of an IPC link, delivering like node's: asynchronously, in order, as copies (so
 * nothing is shared by reference between "processes").
 */
function link() {
  type Listener = (message: unknown) => void;
  const toPrimary = new Set<Listener>();
  const toWorker = new Set<Listener>();
  let open = true;
  const sent: StateMessage[] = [];
  const deliver = (listeners: Set<Listener>, message: unknown) => {
    if (!open) throw new Error('channel closed');
    const copy = structuredClone(message);
    setImmediate(() => {
      for (const listener of [...listeners]) listener(copy);
    });
  };
  const end = (mine: Set<Listener>, theirs: Set<Listener>, log?: StateMessage[]): StateChannel => ({
    send(message) {
      log?.push(message);
      deliver(theirs, message);
    },
    onMessage(listener) {
      mine.add(listener);
      return () => mine.delete(listener);
    },
  });
  return {
    primary: end(toPrimary, toWorker),
    worker: end(toWorker, toPrimary, sent),
    sent,
    close: () => {
      open = false;
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
const states: SharedState[] = [];
const breakers: CircuitBreaker[] = [];
afterEach(async () => {
  for (const b of breakers.splice(0)) b.dispose();
  await Promise.all(states.splice(0).map((s) => s.close()));
});

function worker(hub: StateHub) {
  const l = link();
  const detach = hub.attach(l.primary);
  const state = createClusterState(l.worker);
  states.push(state);
  return { state, sent: l.sent, detach, close: l.close };
}

function breaker(s: SharedState, key = 'anthropic/claude'): CircuitBreaker {
  const b = createCircuitBreaker({
    key,
    store: s.breakerStore,
    consecutiveFailures: 2,
    minimumSpanMs: 0,
    cooldownMs: 30_000,
  });
  breakers.push(b);
  return b;
}

function fail(b: CircuitBreaker) {
  const permit = b.acquire();
  if (permit.allowed) permit.release('failure');
}

describe('cluster shared state (workers through the primary)', () => {
  it('a breaker opened in one worker is open in the other once the message arrives', async () => {
    const hub = createStateHub();
    const a = worker(hub);
    const b = worker(hub);
    expect(await a.state.ready(500)).toBe(true);
    expect(await b.state.ready(500)).toBe(true);
    const onA = breaker(a.state);
    const onB = breaker(b.state);
    fail(onA);
    fail(onA);
    expect(onA.state()).toBe('open');
    await settle();
    expect(onB.state()).toBe('open');
    expect(onB.acquire().allowed).toBe(false);
    expect(b.state.health()).toMatchObject({ backend: 'cluster', status: 'ok' });
  });

  it('answers reads and writes without waiting: a write is seen locally at once and sent, not awaited', () => {
    const hub = createStateHub();
    const a = worker(hub);
    const onA = breaker(a.state);
    fail(onA);
    fail(onA);
    // Synchronously, before any IPC delivery: the local copy already holds the transition.
    expect(a.state.breakerStore.get('anthropic/claude')?.state).toBe('open');
    const sent = a.sent.flatMap((m) => (m.t === 'b' ? [m.v.state] : []));
    expect(sent.at(-1)).toBe('open');
  });

  it("keeps a closed breaker's outcome window local: only transitions travel", async () => {
    const hub = createStateHub();
    const a = worker(hub);
    await a.state.ready(500);
    const onA = createCircuitBreaker({ key: 'k', store: a.state.breakerStore, consecutiveFailures: 5 });
    breakers.push(onA);
    for (let i = 0; i < 4; i++) fail(onA);
    expect(a.state.breakerStore.get('k')?.consecutiveFailures).toBe(4);
    // The first record of the key travels (nothing was held for it); the four outcomes do not.
    expect(a.sent.filter((m) => m.t === 'b').length).toBeLessThanOrEqual(1);
  });

  it('a worker attached later (a restarted one) gets the open breakers and cooldowns at once', async () => {
    const hub = createStateHub();
    const a = worker(hub);
    await a.state.ready(500);
    const onA = breaker(a.state);
    fail(onA);
    fail(onA);
    createCooldowns(realClock, a.state.cooldownStore).coolUntil('openai/gpt', Date.now() + 60_000, '429');
    await settle();
    const late = worker(hub);
    expect(await late.state.ready(500)).toBe(true);
    expect(breaker(late.state).state()).toBe('open');
    expect(createCooldowns(realClock, late.state.cooldownStore).isCooling('openai/gpt')?.reason).toBe('429');
  });

  it('shares cooldowns; a later one is never shortened by an earlier one, and a lift spares a later extension', async () => {
    const hub = createStateHub();
    const a = worker(hub);
    const b = worker(hub);
    await Promise.all([a.state.ready(500), b.state.ready(500)]);
    const coolA = createCooldowns(realClock, a.state.cooldownStore);
    const coolB = createCooldowns(realClock, b.state.cooldownStore);
    const later = Date.now() + 60_000;
    coolA.coolUntil('t', later, 'quota');
    await settle();
    expect(coolB.isCooling('t')?.untilMs).toBe(later);
    // B did not hear of A's extension yet when it wrote a shorter one: the primary keeps the later.
    b.state.cooldownStore.set('t', { untilMs: Date.now() + 1000, reason: 'short' });
    await settle();
    expect(coolA.isCooling('t')?.untilMs).toBe(later);
    // A lift of the short one (B saw only that) must not remove the hub's later one.
    b.state.cooldownStore.delete('t');
    await settle();
    expect(coolA.isCooling('t')?.untilMs).toBe(later);
    const c = worker(hub);
    await c.state.ready(500);
    expect(c.state.cooldownStore.get('t')?.untilMs).toBe(later);
    // A lift of what everyone holds goes everywhere.
    coolA.clear('t');
    await settle();
    expect(c.state.cooldownStore.get('t')).toBeUndefined();
  });

  it('settles two workers making the same transition at once on one state everywhere', async () => {
    const hub = createStateHub();
    const a = worker(hub);
    const b = worker(hub);
    await Promise.all([a.state.ready(500), b.state.ready(500)]);
    const base: BreakerState = {
      state: 'open',
      epoch: 1,
      consecutiveFailures: 2,
      window: [],
      cooldownMs: 5000,
      updatedAt: 1000,
      retryAt: 6000,
    };
    // Both open epoch 1 before hearing each other; B's is later.
    a.state.breakerStore.set('k', base);
    b.state.breakerStore.set('k', { ...base, state: 'half_open', updatedAt: 2000 });
    await settle();
    await settle();
    expect(a.state.breakerStore.get('k')).toEqual(b.state.breakerStore.get('k'));
    const third = worker(hub);
    await third.state.ready(500);
    expect(third.state.breakerStore.get('k')).toEqual(a.state.breakerStore.get('k'));
  });

  it('a detached worker hears nothing more, and a closed link makes its health degraded, not an error', async () => {
    const hub = createStateHub();
    const a = worker(hub);
    const b = worker(hub);
    await Promise.all([a.state.ready(500), b.state.ready(500)]);
    b.detach();
    expect(hub.size()).toBe(1);
    a.state.cooldownStore.set('x', { untilMs: Date.now() + 10_000, reason: 'r' });
    await settle();
    expect(b.state.cooldownStore.get('x')).toBeUndefined();
    a.close();
    expect(() => a.state.cooldownStore.set('y', { untilMs: Date.now() + 10_000, reason: 'r' })).not.toThrow();
    expect(a.state.cooldownStore.get('y')?.reason).toBe('r');
    expect(a.state.health().status).toBe('degraded');
  });

  it('ready() says false when no primary answers within the time', async () => {
    const l = link();
    const lonely = createClusterState(l.worker);
    states.push(lonely);
    expect(await lonely.ready(30)).toBe(false);
    expect(lonely.health()).toMatchObject({ status: 'degraded', detail: 'waiting for the primary process' });
  });
});
