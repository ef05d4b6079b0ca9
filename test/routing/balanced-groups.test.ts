/**
 * Balanced route groups over real sockets against the mock: two deployments of one model
 * (`east` and `west`, both on the mock), the traffic each gets, and the group as one step of
 * the chain (members are each other's first fallback, then the chain goes on).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/index.ts';
import type { MockProvider } from '../../src/testing/index.ts';
import type { CanonicalRequest } from '../../src/wire/canonical/index.ts';
import { attemptsByModel, engineFor, providersFor, startMock } from '../engine/support/harness.ts';

const EAST = 'gpt-4.1-east';
const WEST = 'gpt-4.1-west';
const ask = (n: number): CanonicalRequest => ({
  model: 'default',
  maxTokens: 20,
  messages: [{ role: 'user', content: [{ type: 'text', text: `Question number ${n}.` }] }],
});
// The slow member's first token comes after 3 s: the first-token limit must not cut it.
const ROOMY = { connect: 3000, headers: 5000, firstToken: 8000, idle: 5000, total: 20_000, deadline: 30_000 };

let mock: MockProvider;
let engine: Engine | undefined;
beforeAll(async () => {
  mock = await startMock();
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  mock.setScenario({});
  mock.reset();
});
afterAll(async () => {
  await mock.close();
});

function twoDeployments(routes: Record<string, unknown>) {
  const openai = providersFor(mock).openai;
  return engineFor(mock, {
    providers: { east: openai, west: openai, openai },
    routes: routes as never,
    timeout: ROOMY,
  });
}

async function inSequence(from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) await engine!.execute(ask(i)).response();
}

describe('latency balancing', () => {
  it('a member that turns slow (first token after 3 s) gets at most 10 of the next 100 calls', async () => {
    engine = twoDeployments({
      default: [{ balance: 'latency', targets: [`east/${EAST}`, `west/${WEST}`] }, 'openai/gpt-4.1'],
    });
    await inSequence(0, 10);
    const warm = attemptsByModel(mock.log());
    // Both members were measured while they were equally fast.
    expect(warm[EAST]).toBeGreaterThan(0);
    expect(warm[WEST]).toBeGreaterThan(0);
    mock.reset();
    mock.setScenario({ models: { [WEST]: { faults: [{ fault: 'slow_first_token ms=3000' }] } } });
    await inSequence(10, 100);
    const placed = attemptsByModel(mock.log());
    expect((placed[EAST] ?? 0) + (placed[WEST] ?? 0)).toBe(100);
    expect(placed[EAST]).toBeGreaterThanOrEqual(90);
    // Nothing failed over past the group.
    expect(placed['gpt-4.1']).toBeUndefined();
  }, 30_000);
});

describe('weighted and round-robin over real sockets', () => {
  it('weights 3:1 place exactly 30 and 10 of 40 calls', async () => {
    engine = twoDeployments({
      default: [
        {
          balance: 'weighted',
          targets: [
            { target: `east/${EAST}`, weight: 3 },
            { target: `west/${WEST}`, weight: 1 },
          ],
        },
      ],
    });
    await inSequence(0, 40);
    expect(attemptsByModel(mock.log())).toEqual({ [EAST]: 30, [WEST]: 10 });
  });

  it('round-robin in the object form of a route alternates the members', async () => {
    engine = twoDeployments({
      default: { targets: [{ balance: 'round-robin', targets: [`east/${EAST}`, `west/${WEST}`] }] },
    });
    await inSequence(0, 10);
    expect(mock.log().map((e) => e.model)).toEqual([
      EAST,
      WEST,
      EAST,
      WEST,
      EAST,
      WEST,
      EAST,
      WEST,
      EAST,
      WEST,
    ]);
  });
});

describe('the group as one step of the chain', () => {
  it('a rate-limited member falls back to its sibling at once, not to the next step, and not after waiting its hint', async () => {
    mock.setScenario({ models: { [EAST]: { faults: [{ fault: '429 retry-after=2' }] } } });
    engine = twoDeployments({
      default: [{ balance: 'round-robin', targets: [`east/${EAST}`, `west/${WEST}`] }, 'openai/gpt-4.1'],
    });
    const retries: unknown[] = [];
    engine.on((event) => {
      if (event.type === 'retry') retries.push(event);
    });
    for (let i = 0; i < 6; i++) {
      const call = engine.execute(ask(i));
      const trace = await call.trace;
      expect(trace.answeredBy).toMatchObject({ model: WEST });
    }
    const counts = attemptsByModel(mock.log());
    expect(counts['gpt-4.1']).toBeUndefined();
    // East met one 429 and then cooled for its 2 s: the later calls skipped it without asking.
    expect(counts[EAST]).toBe(1);
    // The 2 s hint was not waited out on the rate-limited member: no retry was scheduled at all.
    expect(retries).toEqual([]);
  });

  it('when every member fails, the chain goes on to the next step', async () => {
    mock.setScenario({
      models: { [EAST]: { faults: [{ fault: '500' }] }, [WEST]: { faults: [{ fault: '500' }] } },
    });
    engine = twoDeployments({
      default: [{ balance: 'latency', targets: [`east/${EAST}`, `west/${WEST}`] }, 'openai/gpt-4.1'],
    });
    const trace = await engine.execute(ask(0)).trace;
    expect(trace.answeredBy).toMatchObject({ model: 'gpt-4.1' });
    const counts = attemptsByModel(mock.log());
    expect(counts[EAST]).toBeGreaterThan(0);
    expect(counts[WEST]).toBeGreaterThan(0);
  });
});
