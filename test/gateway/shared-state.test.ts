/** Two gateway instances sharing breaker state through Redis, and carrying on when Redis stops. */
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type PrivateRedis,
  sharedRedisUrl,
  startPrivateRedis,
  uniquePrefix,
  until,
} from '../state/redis-server.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

let harness: Harness | undefined;
let redis: PrivateRedis | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await redis?.stop();
  redis = undefined;
});

const ask = { model: 'default', messages: [{ role: 'user' as const, content: 'hello' }] };
const clientFor = (url: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
const statusOf = async (url: string) =>
  (await (await fetch(`${url}/status`)).json()) as { targets: Array<{ key: string; breaker: string }> };

describe('gateway shared state', () => {
  it('honours in one instance a breaker opened through another', async () => {
    harness = await createHarness({
      defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 5 },
      models: { 'gpt-primary': { faults: ['500'] } },
    });
    const shared = {
      routes: { default: ['openai/gpt-primary', 'gemini/gemini-backup'] },
      breaker: { consecutiveFailures: 2, minimumSpanMs: 0, cooldownMs: 30_000 },
      state: { redis: sharedRedisUrl(), prefix: uniquePrefix(), syncIntervalMs: 200 },
    };
    const a = await harness.start(shared);
    const b = await harness.start(shared);

    const first = await clientFor(a.url).chat.completions.create(ask).withResponse();
    expect(first.response.headers.get('x-outlast-model')).toBe('gemini/gemini-backup');
    expect((await statusOf(a.url)).targets.find((t) => t.key === 'openai/gpt-primary')?.breaker).toBe('open');
    const primaryCalls = () => harness?.mock.log().filter((e) => e.model === 'gpt-primary').length ?? 0;
    expect(primaryCalls()).toBe(2);

    const waited = await until(
      () => b.engine.status().find((t) => t.key === 'openai/gpt-primary')?.breaker === 'open',
      1000,
      'instance B to see the open breaker',
    );
    expect(waited).toBeLessThan(1000);
    const viaB = await clientFor(b.url).chat.completions.create(ask).withResponse();
    expect(viaB.response.headers.get('x-outlast-model')).toBe('gemini/gemini-backup');
    expect(viaB.response.headers.get('x-outlast-attempts')).toBe('1');
    // B never sent the open target a request.
    expect(primaryCalls()).toBe(2);
  });

  it('fails no request when Redis stops mid-test, says degraded, and recovers', async () => {
    redis = await startPrivateRedis();
    harness = await createHarness({ defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 5 } });
    const shared = {
      routes: { default: ['openai/gpt-4.1', 'gemini/gemini-2.5-flash'] },
      state: { redis: redis.url, prefix: uniquePrefix(), syncIntervalMs: 100 },
    };
    const a = await harness.start(shared);
    const b = await harness.start(shared);
    expect(await (await fetch(`${a.url}/readyz`)).json()).toMatchObject({ status: 'ready' });

    const statuses: number[] = [];
    const fire = async (url: string) => {
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${GATEWAY_KEY}` },
        body: JSON.stringify(ask),
      });
      statuses.push(res.status);
      await res.text();
    };
    await Promise.all([fire(a.url), fire(b.url)]);
    await redis.stop();
    for (let i = 0; i < 10; i++) await Promise.all([fire(a.url), fire(b.url)]);
    await until(() => a.state.health().status === 'degraded', 3000, 'degraded');
    const ready = await fetch(`${a.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'degraded',
      state: { backend: 'redis', status: 'degraded' },
    });
    expect(await (await fetch(`${a.url}/metrics`)).text()).toMatch(/outlast_state_degraded 1/);
    for (let i = 0; i < 5; i++) await Promise.all([fire(a.url), fire(b.url)]);
    expect(statuses).toHaveLength(32);
    expect(statuses.every((s) => s === 200)).toBe(true);

    await redis.start();
    await until(
      () => a.state.health().status === 'ok' && b.state.health().status === 'ok',
      5000,
      'back to ok',
    );
    expect(await (await fetch(`${b.url}/readyz`)).json()).toMatchObject({ status: 'ready' });
  });

  it('starts with Redis unreachable, serves on local state, says degraded', async () => {
    harness = await createHarness({ defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 5 } });
    const nowhere = harness.mock.refusedUrl().replace(/^http/, 'redis');
    const gateway = await harness.start({
      routes: { default: ['openai/gpt-4.1'] },
      state: { redis: nowhere, prefix: uniquePrefix() },
    });
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'degraded' });
    const { response } = await clientFor(gateway.url).chat.completions.create(ask).withResponse();
    expect(response.status).toBe(200);
  });
});
