/**
 * The primary is down for a window then recovers: during the window the fallback serves with
 * few attempts on the primary (its breaker opens); soon after recovery a half-open probe
 * finds it healthy and traffic returns to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockProvider } from '../../src/testing/index.ts';
import { engineFor, startMock } from './support/harness.ts';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(async () => {
  await mock.close();
});

describe('outage window then recovery', () => {
  it('fails over during the outage and returns to the primary after it', async () => {
    const WINDOW_MS = 700;
    mock.setScenario({ models: { 'gpt-4.1': { faults: [{ fault: '503', from: 0, to: WINDOW_MS }] } } });
    const engine = engineFor(mock, {
      routes: { default: ['openai/gpt-4.1', 'gemini/gemini-2.5-flash'] },
      breaker: { consecutiveFailures: 3, minimumSpanMs: 0, cooldownMs: 150, maxCooldownMs: 300 },
    });
    const served: Array<{ at: number; model: string }> = [];
    const started = Date.now();
    while (Date.now() - started < WINDOW_MS + 800) {
      const r = await engine
        .execute({
          model: 'default',
          maxTokens: 20,
          messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
        })
        .response();
      served.push({ at: Date.now() - started, model: r.model });
      await new Promise((res) => setTimeout(res, 20));
    }
    await engine.close();
    const log = mock.log();
    const primaryInWindow = log.filter((e) => e.model === 'gpt-4.1' && e.elapsedMs < WINDOW_MS);
    const callsInWindow = served.filter((s) => s.at < WINDOW_MS);
    // Every call in the window was answered (by the fallback), but the primary saw only the
    // attempts that opened its breaker plus an occasional probe, not two per call.
    expect(callsInWindow.every((s) => s.model.includes('gemini'))).toBe(true);
    expect(callsInWindow.length).toBeGreaterThan(8);
    expect(primaryInWindow.length).toBeLessThan(callsInWindow.length);
    expect(primaryInWindow.length).toBeLessThanOrEqual(3 + Math.ceil(WINDOW_MS / 150));
    // Traffic is back on the primary within a cooldown or two of its recovery.
    const back = served.find((s) => s.at > WINDOW_MS && s.model.includes('gpt-4.1'));
    expect(back).toBeDefined();
    expect(back!.at - WINDOW_MS).toBeLessThan(500);
    expect(served.at(-1)!.model).toContain('gpt-4.1');
  });
});
