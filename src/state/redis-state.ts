/**
 * Breaker states and cooldowns shared by every gateway instance through Redis, served from a
 * local copy so no request waits on Redis: writes go through to Redis on a transition (a
 * compare-and-set script, then a pub/sub message to the others); the others apply it as
 * they hear it, and a periodic resync (default 500 ms) catches anything missed. When Redis
 * is down or does not answer within the command timeout, the local copy carries on alone,
 * what changed meanwhile is pushed once it is back, and `health()` says degraded.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { BreakerState, BreakerStore, CooldownEntry, CooldownStore } from '../policy/index.ts';
import {
  BREAKER_SET_SCRIPT,
  breakerNeedsPush,
  breakerReplaces,
  COOLDOWN_DELETE_SCRIPT,
  COOLDOWN_SET_SCRIPT,
  cooldownReplaces,
} from './merge.ts';
import type { SharedState, StateHealth } from './types.ts';

export interface RedisStateOptions {
  /** `redis://host:port/db`. */
  url: string;
  /** Key prefix, so several deployments can share one Redis. Default `outlast`. */
  prefix?: string;
  /** Full resync period; default 500 ms. */
  syncIntervalMs?: number;
  /** Gives up on one connection attempt after this; default 2000 ms. */
  connectTimeoutMs?: number;
  /**
   * A command not answered within this fails, and the store is degraded until a resync
   * succeeds again; default 1000 ms. Without it a Redis that hangs (frozen, a full network
   * buffer) is never noticed: its socket stays open and the resync waits forever.
   */
  commandTimeoutMs?: number;
  /** The keys expire after this unless a resync refreshes them (a deployment gone leaves nothing behind); default one day. */
  keyTtlMs?: number;
  /** Told when Redis goes away or comes back (never on the request path). */
  onHealthChange?: (health: StateHealth) => void;
}

const windowBucket = z.object({
  index: z.number(),
  counts: z.object({ successes: z.number(), failures: z.number(), calls: z.number() }),
  firstFailureAt: z.number().optional(),
});
const breakerStateSchema = z.object({
  state: z.enum(['closed', 'open', 'half_open']),
  epoch: z.number(),
  consecutiveFailures: z.number(),
  runStartedAt: z.number().optional(),
  window: z.array(windowBucket),
  openedAt: z.number().optional(),
  // What opened it travels with the transition, so every instance can say why it skips the target.
  openedBy: z
    .object({
      reason: z.enum(['consecutive_failures', 'failure_rate']),
      failures: z.number(),
      spanMs: z.number(),
      calls: z.number().optional(),
      attempts: z.number().optional(),
    })
    .optional(),
  retryAt: z.number().optional(),
  cooldownMs: z.number(),
  updatedAt: z.number(),
});
const cooldownSchema = z.object({ untilMs: z.number(), reason: z.string() });
const messageSchema = z.discriminatedUnion('t', [
  z.object({ o: z.string(), t: z.literal('b'), k: z.string(), v: z.string() }),
  z.object({ o: z.string(), t: z.literal('c'), k: z.string(), v: z.string() }),
  z.object({ o: z.string(), t: z.literal('cd'), k: z.string(), until: z.number() }),
]);

function parseJson<T>(schema: z.ZodType<T>, text: string): T | undefined {
  try {
    const result = schema.safeParse(JSON.parse(text));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

const parseBreaker = (text: string) => parseJson(breakerStateSchema, text) as BreakerState | undefined;
const parseCooldown = (text: string) => parseJson(cooldownSchema, text);

export function createRedisState(options: RedisStateOptions): SharedState {
  const prefix = options.prefix ?? 'outlast';
  const breakersKey = `${prefix}:breakers`;
  const cooldownsKey = `${prefix}:cooldowns`;
  const channel = `${prefix}:state`;
  const origin = randomUUID();
  const syncEvery = options.syncIntervalMs ?? 500;
  const keyTtlMs = options.keyTtlMs ?? 86_400_000;

  const breakers = new Map<string, BreakerState>();
  const cooldowns = new Map<string, CooldownEntry>();
  const listeners = new Set<(key: string, state: BreakerState) => void>();
  const dirtyBreakers = new Set<string>();
  const dirtyCooldowns = new Set<string>();

  let lastSyncOk = false;
  let lastError: string | undefined;
  let lastSyncAt: number | undefined;
  let closed = false;

  const connection = {
    lazyConnect: false,
    // Fail fast instead of queueing: a queued write would stall nothing, but a queued read
    // in a resync would pile up while Redis is down.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    retryStrategy: (times: number) => Math.min(100 * times, 1000),
  };
  const client = new Redis(options.url, connection);
  // The subscriber queues its SUBSCRIBE until connected; ioredis resubscribes on reconnect.
  const subscriber = new Redis(options.url, { ...connection, enableOfflineQueue: true });

  const health = (): StateHealth => {
    const ok = client.status === 'ready' && lastSyncOk;
    return {
      backend: 'redis',
      status: ok ? 'ok' : 'degraded',
      ...(lastSyncAt === undefined ? {} : { lastSyncAt }),
      ...(ok || lastError === undefined ? {} : { detail: lastError }),
    };
  };
  let reported: StateHealth['status'] | undefined;
  const noteHealth = () => {
    const now = health();
    if (now.status !== reported) {
      reported = now.status;
      options.onHealthChange?.(now);
    }
  };
  const fail = (error: unknown) => {
    lastSyncOk = false;
    lastError = error instanceof Error ? error.message : String(error);
    noteHealth();
  };
  // ioredis reports connection errors here; without a listener they would be thrown.
  client.on('error', (error: Error) => fail(error));
  subscriber.on('error', () => {});
  client.on('close', () => fail(new Error('connection to redis closed')));

  const applyBreaker = (key: string, incoming: BreakerState) => {
    if (!breakerReplaces(incoming, breakers.get(key))) return;
    breakers.set(key, incoming);
    for (const listener of [...listeners]) listener(key, incoming);
  };
  const applyCooldown = (key: string, incoming: CooldownEntry) => {
    if (incoming.untilMs <= Date.now()) return;
    if (cooldownReplaces(incoming, cooldowns.get(key))) cooldowns.set(key, incoming);
  };

  const pushBreaker = async (key: string, state: BreakerState) => {
    const json = JSON.stringify(state);
    const message = JSON.stringify({ o: origin, t: 'b', k: key, v: json });
    try {
      const winner = await client.eval(
        BREAKER_SET_SCRIPT,
        1,
        breakersKey,
        key,
        json,
        state.epoch,
        state.updatedAt,
        state.state,
        channel,
        message,
      );
      dirtyBreakers.delete(key);
      if (typeof winner === 'string') {
        const stored = parseBreaker(winner);
        if (stored) applyBreaker(key, stored);
      }
    } catch (error) {
      dirtyBreakers.add(key);
      fail(error);
    }
  };
  const pushCooldown = async (key: string, entry: CooldownEntry) => {
    const json = JSON.stringify(entry);
    const message = JSON.stringify({ o: origin, t: 'c', k: key, v: json });
    try {
      await client.eval(COOLDOWN_SET_SCRIPT, 1, cooldownsKey, key, json, entry.untilMs, channel, message);
      dirtyCooldowns.delete(key);
    } catch (error) {
      dirtyCooldowns.add(key);
      fail(error);
    }
  };
  const pushCooldownDelete = async (key: string, untilMs: number) => {
    const message = JSON.stringify({ o: origin, t: 'cd', k: key, until: untilMs });
    try {
      await client.eval(COOLDOWN_DELETE_SCRIPT, 1, cooldownsKey, key, untilMs, channel, message);
    } catch (error) {
      fail(error);
    }
  };

  /** Reads everything, applies what others changed, pushes what we changed while cut off. */
  const sync = async () => {
    if (closed || client.status !== 'ready') {
      if (!closed && client.status !== 'ready') fail(new Error(`redis is ${client.status}`));
      return;
    }
    try {
      const [storedBreakers, storedCooldowns] = await Promise.all([
        client.hgetall(breakersKey),
        client.hgetall(cooldownsKey),
      ]);
      const now = Date.now();
      for (const [key, text] of Object.entries(storedBreakers)) {
        const stored = parseBreaker(text);
        if (stored) applyBreaker(key, stored);
      }
      for (const [key, local] of breakers) {
        const text = storedBreakers[key];
        const stored = text === undefined ? undefined : parseBreaker(text);
        if (dirtyBreakers.has(key) || breakerNeedsPush(local, stored)) await pushBreaker(key, local);
      }
      for (const [key, text] of Object.entries(storedCooldowns)) {
        const stored = parseCooldown(text);
        if (stored) applyCooldown(key, stored);
        // Expired entries are nobody's: tidy them so the hash does not grow.
        if (!stored || stored.untilMs <= now) await pushCooldownDelete(key, stored?.untilMs ?? now);
      }
      for (const [key, local] of cooldowns) {
        if (local.untilMs <= now) continue;
        const text = storedCooldowns[key];
        const stored = text === undefined ? undefined : parseCooldown(text);
        if (dirtyCooldowns.has(key) || !stored || stored.untilMs < local.untilMs)
          await pushCooldown(key, local);
      }
      await Promise.all([client.pexpire(breakersKey, keyTtlMs), client.pexpire(cooldownsKey, keyTtlMs)]);
      if (dirtyBreakers.size === 0 && dirtyCooldowns.size === 0) {
        lastSyncOk = true;
        lastError = undefined;
        lastSyncAt = Date.now();
      }
      noteHealth();
    } catch (error) {
      fail(error);
    }
  };

  let syncing: Promise<void> | undefined;
  const syncOnce = () => {
    syncing ??= sync().finally(() => {
      syncing = undefined;
    });
    return syncing;
  };

  client.on('ready', () => void syncOnce());
  const timer = setInterval(() => void syncOnce(), syncEvery);
  timer.unref();

  subscriber.subscribe(channel).catch(() => {});
  subscriber.on('message', (_channel: string, text: string) => {
    const message = parseJson(messageSchema, text);
    if (!message || message.o === origin) return;
    if (message.t === 'b') {
      const state = parseBreaker(message.v);
      if (state) applyBreaker(message.k, state);
    } else if (message.t === 'c') {
      const entry = parseCooldown(message.v);
      if (entry) applyCooldown(message.k, entry);
    } else {
      const local = cooldowns.get(message.k);
      if (local && local.untilMs <= message.until) cooldowns.delete(message.k);
    }
  });

  const breakerStore: BreakerStore = {
    get: (key) => breakers.get(key),
    set(key, state) {
      const before = breakers.get(key);
      breakers.set(key, state);
      for (const listener of [...listeners]) listener(key, state);
      // Only transitions travel; a closed breaker's window of outcomes stays local.
      if (!before || before.epoch !== state.epoch || before.state !== state.state)
        void pushBreaker(key, state);
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
      void pushCooldown(key, entry);
    },
    delete(key) {
      const had = cooldowns.get(key);
      if (!had) return;
      cooldowns.delete(key);
      void pushCooldownDelete(key, had.untilMs);
    },
    keys: () => cooldowns.keys(),
  };

  return {
    breakerStore,
    cooldownStore,
    health,
    async ready(timeoutMs = 2000) {
      const deadline = Date.now() + timeoutMs;
      while (!closed && Date.now() < deadline) {
        if (client.status === 'ready') {
          await syncOnce();
          if (health().status === 'ok') return true;
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return health().status === 'ok';
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await syncing;
      client.disconnect();
      subscriber.disconnect();
    },
  };
}
