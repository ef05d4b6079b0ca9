/**
 * The primary is down for a while then recovers: during the outage the fallback serves with
 * few attempts on the primary (its breaker opens); once it recovers, the next half-open probe
 * finds it healthy and traffic returns to it. The breaker's time is a fake clock the test
 * moves between calls (20 ms per call), so the outcome does not depend on how fast the
 * machine is; the calls themselves go over real sockets to the mock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/index.ts';
import { createFakeClock } from '../../src/policy/index.ts';
import type { MockProvider } from '../../src/testing/index.ts';
import { FAST, providersFor, startMock } from './support/harness.ts';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(async () => {
  await mock.close();
});

const ask = {
  model: 'default',
  maxTokens: 20,
  messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] }],
};
const STEP_MS = 20;
const COOLDOWN_MS = 150;

describe('outage then recovery', () => {
  it('fails over during the outage and returns to the primary within a cooldown of its recovery', async () => {
    const clock = createFakeClock();
    const engine = createEngine(
      {
        providers: providersFor(mock),
        ...FAST,
        // One attempt per target: a retry's backoff would wait on the fake clock.
        retry: { ...FAST.retry, attempts: 1 },
        routes: { default: ['openai/gpt-4.1', 'gemini/gemini-2.5-flash'] },
        breaker: { consecutiveFailures: 3, minimumSpanMs: 0, cooldownMs: COOLDOWN_MS, maxCooldownMs: 300 },
      },
      { clock },
    );
    const primaryRequests = () => mock.log().filter((e) => e.model === 'gpt-4.1').length;
    const serve = async () => {
      const r = await engine.execute(ask).response();
      clock.advance(STEP_MS);
      return r.model;
    };

    mock.setScenario({ models: { 'gpt-4.1': { faults: ['503'] } } });
    const during: string[] = [];
    for (let i = 0; i < 30; i++) during.push(await serve());
    // Every call was answered, by the fallback; the primary saw the 3 failures that opened its
    // breaker and one probe per cooldown (150 ms, then 300 ms: 600 ms of outage), not one per call.
    expect(during.every((m) => m.includes('gemini'))).toBe(true);
    const probes = primaryRequests() - 3;
    expect(probes).toBeGreaterThanOrEqual(1);
    expect(probes).toBeLessThanOrEqual(Math.ceil((30 * STEP_MS) / COOLDOWN_MS));

    mock.setScenario({});
    const after: string[] = [];
    while (after.length < 30 && !after.at(-1)?.includes('gpt-4.1')) after.push(await serve());
    // Back on the primary at the next probe: within the longest cooldown (300 ms) of recovery.
    expect(after.at(-1)).toContain('gpt-4.1');
    expect(after.length * STEP_MS).toBeLessThanOrEqual(300 + STEP_MS);
    expect(await serve()).toContain('gpt-4.1');
    await engine.close();
  });
});
