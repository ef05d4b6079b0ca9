/** Cancelling a call (the caller's signal, cancel(), a break out of the loop) leaves no socket or timer behind. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutlastError } from '../../src/errors/index.ts';
import type { MockProvider } from '../../src/testing/index.ts';
import type { CanonicalRequest } from '../../src/wire/canonical/index.ts';
import { waitFor } from '../support/wait-for.ts';
import { engineFor, startMock } from './support/harness.ts';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMock({ models: { 'gpt-4.1': { firstTokenMs: 0, tokenMs: 20, answerTokens: 200 } } });
});
afterAll(async () => {
  await mock.close();
});

const ask: CanonicalRequest = {
  model: 'default',
  maxTokens: 500,
  messages: [{ role: 'user', content: [{ type: 'text', text: 'a long answer please' }] }],
};
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('cancellation', () => {
  it("the caller's signal aborts the upstream mid-stream, and the call fails as cancelled", async () => {
    mock.reset();
    const engine = engineFor(mock, { routes: { default: ['openai/gpt-4.1', 'gemini/gemini-2.5-flash'] } });
    const baseline = timers();
    const controller = new AbortController();
    const call = engine.execute(ask, { signal: controller.signal });
    await call.committed;
    controller.abort();
    const error = await call.response().catch((e: unknown) => e);
    expect(OutlastError.isInstance(error) && error.kind).toBe('cancelled');
    expect((await call.trace).outcome).toBe('cancelled');
    await waitFor(() => mock.log()[0]?.disconnected === true);
    expect(mock.log()).toHaveLength(1);
    expect(mock.log()[0]!.disconnected).toBe(true);
    await engine.close();
    expect(timers()).toBeLessThanOrEqual(baseline);
  });

  it('breaking out of the loop cancels the upstream', async () => {
    mock.reset();
    const engine = engineFor(mock, { routes: { default: ['openai/gpt-4.1'] } });
    const baseline = timers();
    const call = engine.execute(ask);
    let parts = 0;
    for await (const part of call) {
      if (part.type === 'block_delta' && ++parts === 3) break;
    }
    expect((await call.trace).outcome).toBe('cancelled');
    await waitFor(() => mock.log()[0]?.disconnected === true);
    expect(mock.log()[0]!.disconnected).toBe(true);
    expect(mock.log()[0]!.tokensSent).toBeLessThan(200);
    await engine.close();
    expect(timers()).toBeLessThanOrEqual(baseline);
  });

  it('cancel() during a backoff wait stops the call with no further attempt', async () => {
    mock.reset();
    mock.setScenario({ models: { 'gpt-4.1': { faults: ['500'] } } });
    const engine = engineFor(mock, {
      routes: { default: ['openai/gpt-4.1'] },
      retry: { baseMs: 5000, capMs: 5000, jitter: 'none' },
      timeout: { deadline: 60_000 },
    });
    const baseline = timers();
    const call = engine.execute(ask);
    await waitFor(() => mock.log().length === 1);
    await new Promise((r) => setTimeout(r, 30));
    call.cancel();
    const error = (await call.response().catch((e: unknown) => e)) as OutlastError;
    expect(error.kind).toBe('cancelled');
    expect(error.attempts).toHaveLength(1);
    expect(mock.log()).toHaveLength(1);
    await engine.close();
    expect(timers()).toBeLessThanOrEqual(baseline);
    mock.setScenario({ models: { 'gpt-4.1': { firstTokenMs: 0, tokenMs: 20, answerTokens: 200 } } });
  });
});
