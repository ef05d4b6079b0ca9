/**
 * A Redis that stops answering without closing its sockets (SIGSTOP on a private
 * redis-server): every command times out, so the gateway notices within about a second,
 * says degraded on /readyz, /status and the metric, keeps serving calls on local state, and
 * recovers by itself once Redis answers again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type PrivateRedis, startPrivateRedis, uniquePrefix } from '../state/redis-server.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

let harness: Harness | undefined;
let redis: PrivateRedis | undefined;
afterEach(async () => {
  redis?.thaw();
  await harness?.close();
  harness = undefined;
  await redis?.stop();
  redis = undefined;
});

describe('a frozen Redis', () => {
  it('is noticed through command timeouts, serves on local state meanwhile, and recovers by itself', async () => {
    redis = await startPrivateRedis();
    harness = await createHarness({ defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 5 } });
    const gateway = await harness.start({
      routes: { default: ['openai/gpt-4.1'] },
      state: { redis: redis.url, prefix: uniquePrefix(), syncIntervalMs: 100, commandTimeoutMs: 200 },
    });
    const readyz = async () => (await (await fetch(`${gateway.url}/readyz`)).json()) as { status: string };
    const degradedMetric = async () =>
      /^outlast_state_degraded (\d)/m.exec(await (await fetch(`${gateway.url}/metrics`)).text())?.[1];
    expect((await readyz()).status).toBe('ready');

    /** Polls /readyz until it says `want`; how long that took. */
    const readyzSays = async (want: string, timeoutMs: number) => {
      const started = Date.now();
      while ((await readyz()).status !== want) {
        if (Date.now() - started > timeoutMs)
          throw new Error(`/readyz did not say ${want} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return Date.now() - started;
    };

    redis.freeze();
    await readyzSays('degraded', 4000);
    expect(await degradedMetric()).toBe('1');
    const status = (await (await fetch(`${gateway.url}/status`)).json()) as {
      state: { status: string; detail?: string };
    };
    expect(status.state.status).toBe('degraded');
    expect(status.state.detail).toMatch(/timed out/i);

    // Calls carry on with local state, and do not wait on the frozen store.
    const started = Date.now();
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);

    redis.thaw();
    await readyzSays('ready', 5000);
    expect(await degradedMetric()).toBe('0');
  });
});
