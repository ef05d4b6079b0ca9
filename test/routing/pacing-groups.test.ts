/**
 * Pacing where it meets the rest of routing, over real sockets against the mock: a group member
 * whose own headers say it is spent passes its calls to its sibling without meeting a 429, and
 * a spent limit one engine read holds back another engine sharing its cooldown store (as
 * gateway instances share Redis; the Redis store implements the same interface).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/index.ts';
import { createMemoryCooldownStore } from '../../src/policy/index.ts';
import type { MockProvider } from '../../src/testing/index.ts';
import type { CanonicalRequest } from '../../src/wire/canonical/index.ts';
import { attemptsByModel, FAST, providersFor, startMock } from '../engine/support/harness.ts';

const EAST = 'gpt-4.1-east';
const WEST = 'gpt-4.1-west';
const ask = (n: number): CanonicalRequest => ({
  model: 'default',
  maxTokens: 16,
  messages: [{ role: 'user', content: [{ type: 'text', text: `Question number ${n}.` }] }],
});
// One request per bucket, refilled every 20 s: after one answer the headers say it is spent.
const SPENT_AFTER_ONE = { models: { [EAST]: { rateLimit: { capacity: 1, refillPerSecond: 0.05 } } } };

let mock: MockProvider;
const engines: Engine[] = [];
beforeAll(async () => {
  mock = await startMock();
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
  mock.setScenario({});
  mock.reset();
});
afterAll(async () => {
  await mock.close();
});

function engine(routes: Record<string, unknown>, cooldownStore = createMemoryCooldownStore()) {
  const openai = providersFor(mock).openai;
  const e = createEngine(
    { providers: { east: openai, west: openai }, routes: routes as never, ...FAST },
    { cooldownStore },
  );
  engines.push(e);
  return e;
}

describe('pacing with groups and shared state', () => {
  it('a member its headers say is spent passes the next calls to its sibling, meeting no 429', async () => {
    mock.setScenario(SPENT_AFTER_ONE);
    const e = engine({
      default: [
        {
          balance: 'weighted',
          targets: [
            { target: `east/${EAST}`, weight: 10 },
            { target: `west/${WEST}`, weight: 1 },
          ],
        },
      ],
    });
    for (let i = 0; i < 6; i++) await e.execute(ask(i)).response();
    // Weighted 10:1 would send east nearly every call; its first answer said 0 left.
    expect(attemptsByModel(mock.log())).toEqual({ [EAST]: 1, [WEST]: 5 });
    expect(mock.log().filter((entry) => entry.status === 429)).toEqual([]);
  });

  it('with pacing off the same calls meet the 429s the headers foretold', async () => {
    mock.setScenario(SPENT_AFTER_ONE);
    const openai = providersFor(mock).openai;
    const e = createEngine({
      providers: { east: openai, west: openai },
      routes: {
        default: [{ balance: 'weighted', targets: [{ target: `east/${EAST}`, weight: 10 }, `west/${WEST}`] }],
      },
      ...FAST,
      pacing: false,
    });
    engines.push(e);
    await e.execute(ask(0)).response();
    await e.execute(ask(1)).response();
    expect(mock.log().filter((entry) => entry.status === 429).length).toBe(1);
  });

  it('a spent limit read by one engine holds back another sharing its cooldown store', async () => {
    mock.setScenario(SPENT_AFTER_ONE);
    const shared = createMemoryCooldownStore();
    const first = engine({ default: [`east/${EAST}`] }, shared);
    await first.execute(ask(0)).response();
    const second = engine({ default: [`east/${EAST}`, `west/${WEST}`] }, shared);
    const trace = await second.execute(ask(1)).trace;
    expect(trace.answeredBy).toMatchObject({ model: WEST });
    // The second engine never sent east a request: it knew from the shared cooldown.
    expect(attemptsByModel(mock.log())).toEqual({ [EAST]: 1, [WEST]: 1 });
    expect(shared.get(`east/${EAST}`)?.reason).toBe('rate_limit_headers');
  });
});
