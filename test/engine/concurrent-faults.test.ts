/**
 * Issue 13's concurrency cases, over real sockets against the mock: a burst of failures shared
 * by many calls in flight must not fail calls that a plain retry would save, and a route whose
 * every target is held back still makes a real attempt.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/index.ts';
import { OutlastError } from '../../src/errors/index.ts';
import type { MockProvider } from '../../src/testing/index.ts';
import type { CanonicalRequest } from '../../src/wire/canonical/index.ts';
import { attemptsByModel, engineFor, startMock } from './support/harness.ts';

const MODEL = 'gpt-4.1';
const ask = (n: number): CanonicalRequest => ({
  model: 'default',
  maxTokens: 40,
  messages: [{ role: 'user', content: [{ type: 'text', text: `Question number ${n}.` }] }],
});

// The shipped backoff (500 ms, equal jitter): the test harness's fast one would put retries inside
// the very burst that failed them, which no default does.
const DEFAULT_RETRY = { baseMs: 500, capMs: 8000 };
// Roomy phase limits: on a loaded machine the harness's tight ones add timeouts this test is not about.
const ROOMY = { connect: 3000, headers: 3000, firstToken: 3000, idle: 3000, total: 10_000, deadline: 30_000 };

let mock: MockProvider;
let engine: Engine | undefined;
beforeAll(async () => {
  mock = await startMock();
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  mock.reset();
});
afterAll(async () => {
  await mock.close();
});

async function settle(calls: Array<Promise<unknown>>) {
  const results = await Promise.allSettled(calls);
  return {
    ok: results.filter((r) => r.status === 'fulfilled').length,
    errors: results.flatMap((r) => (r.status === 'rejected' ? [r.reason as OutlastError] : [])),
  };
}

describe('a burst of failures shared by many calls in flight', () => {
  it('50 concurrent calls through one target whose first 6 requests answer 500: all 50 succeed', async () => {
    mock.setScenario({ models: { [MODEL]: { faults: [{ fault: '500', times: 6 }] } } });
    engine = engineFor(mock, {
      routes: { default: [`openai/${MODEL}`] },
      retry: DEFAULT_RETRY,
      timeout: ROOMY,
    });
    const r = await settle(Array.from({ length: 50 }, (_, i) => engine!.execute(ask(i)).response()));
    expect(r.errors.map((e) => e.message)).toEqual([]);
    expect(r.ok).toBe(50);
    // Six retries at least; more only if the machine was slow enough for a timeout.
    expect(attemptsByModel(mock.log())[MODEL]).toBeGreaterThanOrEqual(56);
  });

  it('50 concurrent calls over two targets whose first 6 requests each answer 500: all 50 succeed', async () => {
    mock.setScenario({
      models: {
        [MODEL]: { faults: [{ fault: '500', times: 6 }] },
        'gpt-4.1-mini': { faults: [{ fault: '500', times: 6 }] },
      },
    });
    engine = engineFor(mock, {
      routes: { default: [`openai/${MODEL}`, 'openai/gpt-4.1-mini'] },
      retry: DEFAULT_RETRY,
    });
    const r = await settle(Array.from({ length: 50 }, (_, i) => engine!.execute(ask(i)).response()));
    expect(r.errors.map((e) => e.message)).toEqual([]);
    expect(r.ok).toBe(50);
  });
});

describe('every target of the route held back', () => {
  it('with every breaker open, a call still makes a real attempt and answers', async () => {
    mock.setScenario({ models: { [MODEL]: { faults: [{ fault: '500', times: 12 }] } } });
    engine = engineFor(mock, {
      routes: { default: [`openai/${MODEL}`] },
      retry: { attempts: 1, baseMs: 1, capMs: 1 },
      breaker: { consecutiveFailures: 2, minimumSpanMs: 0, cooldownMs: 60_000 },
    });
    // Opens the breaker: sequential failures spread over time, as a dead target gives them.
    for (let i = 0; i < 12; i++)
      await engine
        .execute(ask(i))
        .response()
        .catch(() => undefined);
    expect(engine.status()[0]?.breaker).toBe('open');
    const before = mock.log().length;
    const response = await engine.execute(ask(99)).response();
    expect(response.content.length).toBeGreaterThan(0);
    expect(mock.log().length).toBe(before + 1);
  });

  it('the final error says which targets were skipped and why: since when the breaker is open, on what evidence', async () => {
    // The fallback refuses the request outright (400), so the call ends there: no panic attempt
    // on the breaker-held primary, whose skip the message must explain.
    mock.setScenario({ models: { [MODEL]: { faults: ['500'] }, 'gpt-4.1-mini': { faults: ['400'] } } });
    engine = engineFor(mock, {
      routes: { default: [`openai/${MODEL}`, 'openai/gpt-4.1-mini'], primary: [`openai/${MODEL}`] },
      retry: { attempts: 1, baseMs: 1, capMs: 1 },
      breaker: { consecutiveFailures: 2, minimumSpanMs: 0, cooldownMs: 60_000 },
    });
    for (let i = 0; i < 2; i++)
      await engine
        .execute({ ...ask(i), model: 'primary' })
        .response()
        .catch(() => undefined);
    const error = (await engine
      .execute(ask(7))
      .response()
      .catch((e: unknown) => e)) as OutlastError;
    expect(OutlastError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/skipped openai\/gpt-4\.1 \(breaker open since \d\d:\d\d:\d\d/);
    expect(error.message).toMatch(/2 failures/);
  });

  it('every breaker open and the first panic attempt fails: the other held targets are tried too', async () => {
    const [a, b, c] = [MODEL, 'claude-sonnet-4-5', 'gemini-2.5-flash'];
    mock.setScenario({
      models: {
        [a]: { faults: [{ fault: '500', times: 3 }] },
        [b]: { faults: [{ fault: '500', times: 2 }] },
        [c]: { faults: [{ fault: '500', times: 2 }] },
      },
    });
    engine = engineFor(mock, {
      routes: {
        default: [`openai/${a}`, `anthropic/${b}`, `gemini/${c}`],
        a: [`openai/${a}`],
        b: [`anthropic/${b}`],
        c: [`gemini/${c}`],
      },
      retry: { attempts: 1, baseMs: 1, capMs: 1 },
      breaker: { consecutiveFailures: 2, minimumSpanMs: 0, cooldownMs: 60_000 },
    });
    // Each breaker opens in turn: the first failed longest ago, so panic tries it first (and it fails again).
    for (const route of ['a', 'b', 'c'])
      for (let i = 0; i < 2; i++)
        await engine
          .execute({ ...ask(i), model: route })
          .response()
          .catch(() => undefined);
    expect(engine.status().map((t) => t.breaker)).toEqual(['open', 'open', 'open']);
    const call = engine.execute(ask(9));
    const response = await call.response();
    expect(response.model).toBe(b);
    expect((await call.trace).attempts.map((t) => [t.model, t.outcome])).toEqual([
      [a, 'error'],
      [b, 'success'],
    ]);
  });

  it('nothing answered and a target held back only by its breaker: it still gets a real attempt (panic) and answers', async () => {
    mock.setScenario({
      models: { [MODEL]: { faults: [{ fault: '500', times: 2 }] }, 'gpt-4.1-mini': { faults: ['503'] } },
    });
    engine = engineFor(mock, {
      routes: { default: [`openai/${MODEL}`, 'openai/gpt-4.1-mini'], primary: [`openai/${MODEL}`] },
      retry: { attempts: 1, baseMs: 1, capMs: 1 },
      breaker: { consecutiveFailures: 2, minimumSpanMs: 0, cooldownMs: 60_000 },
    });
    // The primary's breaker opens, then the primary recovers (its faults are spent).
    for (let i = 0; i < 2; i++)
      await engine
        .execute({ ...ask(i), model: 'primary' })
        .response()
        .catch(() => undefined);
    expect(engine.status().find((t) => t.model === MODEL)?.breaker).toBe('open');
    const response = await engine.execute(ask(8)).response();
    expect(response.model).toContain(MODEL);
  });
});
