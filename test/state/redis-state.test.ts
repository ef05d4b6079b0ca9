import { afterEach, describe, expect, it } from 'vitest';
import {
  type CircuitBreaker,
  createCircuitBreaker,
  createCooldowns,
  realClock,
} from '../../src/policy/index.ts';
import { createRedisState, type SharedState } from '../../src/state/index.ts';
import { type PrivateRedis, sharedRedisUrl, startPrivateRedis, uniquePrefix, until } from './redis-server.ts';

const opened: SharedState[] = [];
const breakers: CircuitBreaker[] = [];
const servers: PrivateRedis[] = [];

afterEach(async () => {
  for (const b of breakers.splice(0)) b.dispose();
  await Promise.all(opened.splice(0).map((s) => s.close()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

function state(url: string, prefix: string): SharedState {
  const s = createRedisState({ url, prefix, syncIntervalMs: 200, connectTimeoutMs: 500 });
  opened.push(s);
  return s;
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

describe('redis shared state', () => {
  it('a breaker opened through one instance is honoured by another within a second', async () => {
    const prefix = uniquePrefix();
    const a = state(sharedRedisUrl(), prefix);
    const b = state(sharedRedisUrl(), prefix);
    expect(await a.ready()).toBe(true);
    expect(await b.ready()).toBe(true);
    const onA = breaker(a);
    const onB = breaker(b);
    fail(onA);
    fail(onA);
    expect(onA.state()).toBe('open');
    const waited = await until(() => onB.state() === 'open', 1000, 'B to see the open breaker');
    expect(waited).toBeLessThan(1000);
    expect(onB.acquire().allowed).toBe(false);
  });

  it('a third instance started later loads the open breaker on connect', async () => {
    const prefix = uniquePrefix();
    const a = state(sharedRedisUrl(), prefix);
    await a.ready();
    const onA = breaker(a);
    fail(onA);
    fail(onA);
    await until(() => a.health().status === 'ok' && a.breakerStore.get('anthropic/claude')?.state === 'open');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const late = state(sharedRedisUrl(), prefix);
    expect(await late.ready()).toBe(true);
    expect(breaker(late).state()).toBe('open');
  });

  it('shares cooldowns, and a later cooldown is never shortened by an earlier one', async () => {
    const prefix = uniquePrefix();
    const a = state(sharedRedisUrl(), prefix);
    const b = state(sharedRedisUrl(), prefix);
    await Promise.all([a.ready(), b.ready()]);
    const coolA = createCooldowns(realClock, a.cooldownStore);
    const coolB = createCooldowns(realClock, b.cooldownStore);
    const far = Date.now() + 60_000;
    coolA.coolUntil('openai/gpt', far, 'rate_limited');
    await until(() => coolB.isCooling('openai/gpt') !== undefined, 1000, 'B to see the cooldown');
    coolB.coolUntil('openai/gpt', Date.now() + 10_000, 'rate_limited');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(coolA.isCooling('openai/gpt')?.untilMs).toBe(far);
    coolA.clear('openai/gpt');
    await until(() => coolB.isCooling('openai/gpt') === undefined, 1000, 'B to see the cooldown lifted');
  });

  it('keeps working on local state when redis stops, says degraded, and pushes its changes once redis is back', async () => {
    const redis = await startPrivateRedis();
    servers.push(redis);
    const prefix = uniquePrefix();
    const a = state(redis.url, prefix);
    expect(await a.ready()).toBe(true);
    expect(a.health()).toMatchObject({ backend: 'redis', status: 'ok' });
    const onA = breaker(a);

    await redis.stop();
    await until(() => a.health().status === 'degraded', 2000, 'degraded');
    fail(onA);
    fail(onA);
    expect(onA.state()).toBe('open');
    expect(onA.acquire().allowed).toBe(false);

    await redis.start();
    await until(() => a.health().status === 'ok', 5000, 'back to ok');
    const fresh = state(redis.url, prefix);
    expect(await fresh.ready()).toBe(true);
    expect(breaker(fresh).state()).toBe('open');
  });

  it('ignores malformed entries written by something else', async () => {
    const prefix = uniquePrefix();
    const a = state(sharedRedisUrl(), prefix);
    await a.ready();
    const { Redis } = await import('ioredis');
    const raw = new Redis(sharedRedisUrl());
    try {
      await raw.hset(`${prefix}:breakers`, 'x/y', '{not json');
      await raw.publish(`${prefix}:state`, 'garbage');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(a.breakerStore.get('x/y')).toBeUndefined();
      expect(a.health().status).toBe('ok');
    } finally {
      raw.disconnect();
    }
  });
});
