/**
 * Behaviours drawn by chance over the wire (a model that sometimes restarts), and the shipped
 * continuation-chaos scenario: which cuts and behaviours a run meets, from the log.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockProvider, startMockProvider } from '../../src/testing/index.ts';
import { bodyOf, call, type Turn } from './dialects.ts';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMockProvider({
    seed: 2,
    models: {
      fickle: { answerTokens: 60, continuation: 'full_restart p=0.5 on=continue; exact on=continue' },
    },
  });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

const question: Turn = { role: 'user', text: 'Explain retries.' };
const CONTINUE: Turn = { role: 'user', text: 'You were cut off; please continue.' };

describe('a behaviour drawn by chance', () => {
  it('answers the same continuation one way or the other, per attempt, about as often as asked', async () => {
    const full = mock.expectedAnswer({
      format: 'openai',
      body: bodyOf('openai', 'fickle', [question], { stream: false }),
    }).text;
    const partial = full.split(' ').slice(0, 20).join(' ');
    const texts: string[] = [];
    for (let i = 0; i < 40; i++) {
      const got = await call(
        mock.url,
        'openai',
        'fickle',
        [question, { role: 'assistant', text: partial }, CONTINUE],
        {
          stream: true,
        },
      );
      texts.push(got.text);
    }
    const restarts = texts.filter((t) => t === full).length;
    const exact = texts.filter((t) => `${partial} ${t}` === full).length;
    expect(restarts + exact).toBe(40);
    expect(restarts).toBeGreaterThan(10);
    expect(exact).toBeGreaterThan(10);
    const logged = mock.log().map((e) => e.continuationBehaviour);
    expect(logged.filter((b) => b === 'full_restart')).toHaveLength(restarts);
    expect(logged.filter((b) => b === 'exact')).toHaveLength(exact);
  });
});

describe('the continuation-chaos scenario', () => {
  it('cuts first attempts and continuations in every scripted way, and continues them the ways real models do', async () => {
    // Its latency taken out: the test reads what happened, not how long it took.
    const fast = { firstTokenMs: 0, tokenMs: 0 };
    const chaos = await startMockProvider({
      scenario: 'continuation-chaos',
      seed: 3,
      models: { 'gpt-4.1': fast, 'claude-sonnet-4-5': fast },
    });
    try {
      for (let i = 0; i < 40; i++) {
        const turns: Turn[] = [{ role: 'user', text: `Question ${i}?` }];
        for (const model of ['gpt-4.1', 'claude-sonnet-4-5']) {
          const dialect = model.startsWith('gpt') ? 'openai' : 'anthropic';
          const first = await call(chaos.url, dialect, model, turns, { stream: true, tool: i % 10 === 0 });
          if (first.status !== 200 || first.text === '') continue;
          await call(
            chaos.url,
            dialect,
            model,
            [...turns, { role: 'assistant', text: first.text }, CONTINUE],
            {
              stream: true,
            },
          );
        }
      }
      const log = chaos.log();
      const faults = new Set(log.map((e) => e.fault?.split(' ')[0]));
      for (const kind of ['cut', 'cut_after_stop', 'cut_before_stop']) expect(faults).toContain(kind);
      expect(log.filter((e) => e.continuation !== undefined && e.fault !== undefined).length).toBeGreaterThan(
        0,
      );
      expect(log.every((e) => e.continuation === undefined || !e.fault?.includes('on=first'))).toBe(true);
      const behaviours = new Set(log.map((e) => e.continuationBehaviour).filter(Boolean));
      expect(behaviours.size).toBeGreaterThanOrEqual(4);
    } finally {
      await chaos.close();
    }
  });
});
