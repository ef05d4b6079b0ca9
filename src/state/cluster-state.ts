/**
 * A cluster worker's breaker states and cooldowns, shared with the other workers through the
 * primary (cluster-hub.ts), served like the Redis store from a local copy so no call waits on
 * IPC: reads are a Map lookup; a transition is applied here at once and sent to the primary
 * without waiting (`process.send` queues it); what other workers changed arrives the same way
 * and is applied by the Redis store's merge rules. The link is ordered and loses nothing while
 * it is open, so there is no periodic resync: a worker gets everything once, when it attaches.
 */
import type { BreakerState, BreakerStore, CooldownEntry, CooldownStore } from '../policy/index.ts';
import { isStateMessage, STATE_NS, type StateChannel, type StateMessage } from './cluster-protocol.ts';
import { breakerReplaces, cooldownReplaces } from './merge.ts';
import type { SharedState, StateHealth } from './types.ts';

export function createClusterState(channel: StateChannel): SharedState {
  const breakers = new Map<string, BreakerState>();
  const cooldowns = new Map<string, CooldownEntry>();
  const listeners = new Set<(key: string, state: BreakerState) => void>();
  let syncedAt: number | undefined;
  let lastError: string | undefined;
  let closed = false;
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => {
    markSynced = resolve;
  });

  const send = (message: StateMessage) => {
    if (closed) return;
    try {
      channel.send(message);
    } catch (error) {
      // The primary is gone; node:cluster ends this worker in a moment.
      lastError = error instanceof Error ? error.message : String(error);
    }
  };

  const applyBreaker = (key: string, incoming: BreakerState) => {
    if (!breakerReplaces(incoming, breakers.get(key))) return;
    breakers.set(key, incoming);
    for (const listener of [...listeners]) listener(key, incoming);
  };
  const applyCooldown = (key: string, incoming: CooldownEntry) => {
    if (incoming.untilMs <= Date.now()) return;
    if (cooldownReplaces(incoming, cooldowns.get(key))) cooldowns.set(key, incoming);
  };

  const off = channel.onMessage((message) => {
    if (closed || !isStateMessage(message)) return;
    if (message.t === 'b') applyBreaker(message.k, message.v);
    else if (message.t === 'c') applyCooldown(message.k, message.v);
    else if (message.t === 'cd') {
      const local = cooldowns.get(message.k);
      if (local && local.untilMs <= message.until) cooldowns.delete(message.k);
    } else if (message.t === 'snapshot') {
      for (const [key, state] of message.breakers) applyBreaker(key, state);
      for (const [key, entry] of message.cooldowns) applyCooldown(key, entry);
      syncedAt = Date.now();
      markSynced();
    }
  });

  // Listening now: the primary's snapshot cannot be missed.
  send({ ns: STATE_NS, t: 'hello' });

  const breakerStore: BreakerStore = {
    get: (key) => breakers.get(key),
    set(key, state) {
      const before = breakers.get(key);
      breakers.set(key, state);
      for (const listener of [...listeners]) listener(key, state);
      // Only transitions travel; a closed breaker's window of outcomes stays local (as with Redis).
      if (!before || before.epoch !== state.epoch || before.state !== state.state)
        send({ ns: STATE_NS, t: 'b', k: key, v: state });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };

  const cooldownStore: CooldownStore = {
    get: (key) => cooldowns.get(key),
    set(key, entry) {
      cooldowns.set(key, entry);
      send({ ns: STATE_NS, t: 'c', k: key, v: entry });
    },
    delete(key) {
      const had = cooldowns.get(key);
      if (!had) return;
      cooldowns.delete(key);
      send({ ns: STATE_NS, t: 'cd', k: key, until: had.untilMs });
    },
    keys: () => cooldowns.keys(),
  };

  const health = (): StateHealth => ({
    backend: 'cluster',
    status: syncedAt !== undefined && lastError === undefined ? 'ok' : 'degraded',
    ...(syncedAt === undefined ? {} : { lastSyncAt: syncedAt }),
    ...(lastError === undefined
      ? syncedAt === undefined
        ? { detail: 'waiting for the primary process' }
        : {}
      : { detail: lastError }),
  });

  return {
    breakerStore,
    cooldownStore,
    health,
    async ready(timeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([synced, timedOut]);
      clearTimeout(timer);
      return syncedAt !== undefined;
    },
    async close() {
      closed = true;
      off();
    },
  };
}

/** The worker's end of the link: its own process, as node:cluster set it up. */
export function processChannel(): StateChannel {
  return {
    send(message) {
      if (!process.send || !process.connected) throw new Error('the link to the primary process is closed');
      process.send(message);
    },
    onMessage(listener) {
      process.on('message', listener);
      return () => process.off('message', listener);
    },
  };
}
