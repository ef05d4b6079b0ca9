/** The shared state's keys in Redis expire (refreshed by every resync), so nothing is left behind forever. */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createCircuitBreaker } from '../../src/policy/index.ts';
import { createRedisState, type SharedState } from '../../src/state/index.ts';
import { sharedRedisUrl, uniquePrefix } from './redis-server.ts';

const opened: SharedState[] = [];
const clients: Redis[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  for (const c of clients.splice(0)) c.disconnect();
});

describe('redis shared state keys', () => {
  it('carry an expiry of state.keyTtlMs, refreshed by the resync', async () => {
    const prefix = uniquePrefix();
    const state = createRedisState({ url: sharedRedisUrl(), prefix, syncIntervalMs: 100, keyTtlMs: 60_000 });
    opened.push(state);
    expect(await state.ready()).toBe(true);
    const breaker = createCircuitBreaker({
      key: 'a/b',
      store: state.breakerStore,
      consecutiveFailures: 1,
      minimumSpanMs: 0,
    });
    const permit = breaker.acquire();
    if (permit.allowed) permit.release('failure');
    state.cooldownStore.set('a/b', { untilMs: Date.now() + 30_000, reason: 'rate_limited' });
    const redis = new Redis(sharedRedisUrl());
    clients.push(redis);
    const ttl = async (key: string) => redis.pttl(key);
    let ttls: number[] = [];
    const started = Date.now();
    while (Date.now() - started < 3000) {
      ttls = await Promise.all([ttl(`${prefix}:breakers`), ttl(`${prefix}:cooldowns`)]);
      if (ttls.every((t) => t > 0)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    breaker.dispose();
    for (const t of ttls) {
      expect(t).toBeGreaterThan(0);
      expect(t).toBeLessThanOrEqual(60_000);
    }
  });
});
