/**
 * Hedged requests over real sockets: a target slow on some calls is hedged onto the next one,
 * the first to reach its first token answers, the other's upstream request is aborted, and
 * nothing of the loser reaches the caller. Counts and winners are asserted, never timings
 * (the latency figures are the routing bench's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent, EngineOptions, Trace } from '../../src/engine/index.ts';
import type { MockProvider } from '../../src/testing/index.ts';
import type { CanonicalRequest, CanonicalResponse } from '../../src/wire/canonical/index.ts';
import { waitFor } from '../support/wait-for.ts';
import { engineFor, startMock } from './support/harness.ts';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMock({});
});
afterAll(async () => {
  await mock.close();
});

const FAST_MODELS = {
  'gpt-4.1': { firstTokenMs: 5, tokenMs: 1, answerTokens: 12 },
  'gemini-2.5-flash': { firstTokenMs: 5, tokenMs: 1, answerTokens: 12 },
};
const SLOW_FIRST_TOKEN = 'slow first=2500ms';

const ask = (i: number): CanonicalRequest => ({
  model: 'default',
  maxTokens: 64,
  stream: true,
  messages: [{ role: 'user', content: [{ type: 'text', text: `question ${i}` }] }],
});
const textOf = (r: CanonicalResponse) => r.content.map((b) => (b.type === 'text' ? b.text : '')).join('');

/** The answers a healthy mock gives each question on each model: a mixed answer matches neither. */
async function referenceTexts(count: number): Promise<Record<string, string[]>> {
  mock.reset();
  mock.setScenario({ models: FAST_MODELS });
  const out: Record<string, string[]> = {};
  for (const target of ['openai/gpt-4.1', 'gemini/gemini-2.5-flash']) {
    const engine = engineFor(mock, { routes: { default: [target] } });
    const texts: string[] = [];
    for (let i = 0; i < count; i++) texts.push(textOf(await engine.execute(ask(i)).response()));
    out[target.split('/')[1] as string] = texts;
    await engine.close();
  }
  mock.reset();
  return out;
}

function hedgingEngine(
  route: Exclude<EngineOptions['routes'], undefined>[string],
  extra: Partial<EngineOptions> = {},
) {
  const events: EngineEvent[] = [];
  const engine = engineFor(mock, {
    routes: { default: route },
    // First-token budget above the slow first token: only the hedge can cut it short.
    timeout: { connect: 1000, headers: 4000, firstToken: 4000, idle: 1000, total: 8000, deadline: 10_000 },
    on: (e) => events.push(e),
    ...extra,
  });
  return { engine, events };
}

describe('hedged requests', () => {
  it('hedges the calls whose first target is slow, the hedge answers them, and attempts grow by no more than the budget', async () => {
    const calls = 40;
    const reference = await referenceTexts(calls);
    mock.setScenario({
      models: {
        ...FAST_MODELS,
        'gpt-4.1': { ...FAST_MODELS['gpt-4.1'], faults: [{ fault: SLOW_FIRST_TOKEN, probability: 0.1 }] },
      },
    });
    const maxRatio = 0.25;
    const { engine } = hedgingEngine({
      targets: ['openai/gpt-4.1', 'gemini/gemini-2.5-flash'],
      hedge: { after: 600, maxRatio },
    });
    const traces: Trace[] = [];
    for (let i = 0; i < calls; i++) {
      const call = engine.execute(ask(i));
      const answer = await call.response();
      const trace = await call.trace;
      traces.push(trace);
      // Whole and from one target: the text of the answering model for this question, exactly.
      const model = trace.answeredBy?.model as string;
      expect(textOf(answer)).toBe(reference[model]?.[i]);
    }
    await engine.close();
    const log = mock.log();
    const primaries = log.filter((e) => e.model === 'gpt-4.1');
    const slow = primaries.filter((e) => e.fault?.startsWith('slow'));
    // The scenario's 10% (seed 7) makes some slow calls; without them the test shows nothing.
    expect(slow.length).toBeGreaterThanOrEqual(2);
    const hedged = traces.filter((t) => t.hedge);
    // Every hedge is a call whose primary was slow; the hedge answered it and the primary was cancelled.
    expect(hedged.length).toBeGreaterThanOrEqual(1);
    expect(hedged.length).toBeLessThanOrEqual(slow.length);
    for (const t of hedged) {
      expect(t.hedge).toMatchObject({
        delayMs: 600,
        target: { provider: 'gemini', model: 'gemini-2.5-flash' },
        won: true,
      });
      expect(t.answeredBy).toEqual({ provider: 'gemini', model: 'gemini-2.5-flash' });
      expect(t.attempts.map((a) => [a.model, a.outcome])).toEqual([
        ['gpt-4.1', 'cancelled'],
        ['gemini-2.5-flash', 'success'],
      ]);
      expect(t.attempts[0]?.error?.code).toBe('OUTLAST_HEDGE_LOST');
      expect(t.fallbacks).toBe(0);
    }
    // A slow primary was hedged unless the budget had no room: at most maxRatio of the calls so far.
    const unhedgedSlow = traces.filter(
      (t) => !t.hedge && t.answeredBy?.model === 'gpt-4.1' && t.attempts[0]!.ttftMs! >= 2000,
    );
    expect(unhedgedSlow.length + hedged.length).toBe(slow.length);
    // Attempts: one per call plus one per hedge, and hedges within the budget's share.
    expect(log.length).toBe(calls + hedged.length);
    expect(hedged.length).toBeLessThanOrEqual(Math.floor(maxRatio * calls));
    // Each loser's upstream request was aborted before it sent a token: the mock saw the socket close.
    await waitFor(() => slow.every((s) => mock.log().find((e) => e.seq === s.seq)?.disconnected));
    const losers = mock.log().filter((e) => e.model === 'gpt-4.1' && e.disconnected);
    expect(losers.length).toBe(hedged.length);
    expect(losers.every((e) => e.tokensSent === 0)).toBe(true);
  }, 30_000);

  it('with after: p95, waits for minSamples first tokens before hedging, unless fallbackMs says how long to wait meanwhile', async () => {
    mock.reset();
    mock.setScenario({
      models: { ...FAST_MODELS, 'gpt-4.1': { firstTokenMs: 400, tokenMs: 1, answerTokens: 12 } },
    });
    const route = (hedge: { after: 'p95'; maxRatio: number; minSamples: number; fallbackMs?: number }) => ({
      targets: ['openai/gpt-4.1', 'gemini/gemini-2.5-flash'],
      hedge,
    });
    const noFallback = hedgingEngine(route({ after: 'p95', maxRatio: 1, minSamples: 20 }));
    for (let i = 0; i < 4; i++) expect((await noFallback.engine.execute(ask(i)).trace).hedge).toBeUndefined();
    await noFallback.engine.close();
    expect(mock.log().every((e) => e.model === 'gpt-4.1')).toBe(true);

    mock.reset();
    const withFallback = hedgingEngine(route({ after: 'p95', maxRatio: 1, minSamples: 20, fallbackMs: 100 }));
    const trace = await withFallback.engine.execute(ask(0)).trace;
    expect(trace.hedge).toMatchObject({ delayMs: 100, won: true });
    const hedgeEvents = withFallback.events.filter((e) => e.type === 'hedge' || e.type === 'hedge_settled');
    expect(hedgeEvents).toMatchObject([
      { type: 'hedge', from: { model: 'gpt-4.1' }, to: { model: 'gemini-2.5-flash' }, delayMs: 100 },
      { type: 'hedge_settled', winner: 'hedge' },
    ]);
    await withFallback.engine.close();
  }, 20_000);

  it('hedges on the same target when the route has only one, and the first to answer wins', async () => {
    mock.reset();
    mock.setScenario({
      models: { 'gpt-4.1': { ...FAST_MODELS['gpt-4.1'], faults: [{ fault: SLOW_FIRST_TOKEN, times: 1 }] } },
    });
    const { engine } = hedgingEngine({ targets: ['openai/gpt-4.1'], hedge: { after: 200, maxRatio: 1 } });
    const trace = await engine.execute(ask(0)).trace;
    expect(trace.outcome).toBe('success');
    expect(trace.hedge).toMatchObject({ target: { model: 'gpt-4.1' }, won: true });
    expect(trace.attempts.map((a) => a.outcome)).toEqual(['cancelled', 'success']);
    expect(trace.retries).toBe(0);
    await waitFor(() => mock.log()[0]?.disconnected === true);
    expect(mock.log().map((e) => [e.attempt, e.disconnected, e.tokensSent > 0])).toEqual([
      [1, true, false],
      [2, false, true],
    ]);
    await engine.close();
  });

  it('never hedges a call whose caller said hedge: false, nor a call with a JSON upstream answer', async () => {
    mock.reset();
    mock.setScenario({
      models: { ...FAST_MODELS, 'gpt-4.1': { firstTokenMs: 400, tokenMs: 1, answerTokens: 12 } },
    });
    const { engine } = hedgingEngine(
      { targets: ['openai/gpt-4.1', 'gemini/gemini-2.5-flash'], hedge: { after: 50, maxRatio: 1 } },
      { stream: { upstream: 'when-streaming' } },
    );
    const forbidden = await engine.execute(ask(0), { hedge: false }).trace;
    expect(forbidden.hedge).toBeUndefined();
    const json = await engine.execute({ ...ask(1), stream: false }).trace;
    expect(json.hedge).toBeUndefined();
    expect(mock.log().map((e) => e.model)).toEqual(['gpt-4.1', 'gpt-4.1']);
    // The same route hedges a streamed call the caller did not forbid.
    expect((await engine.execute(ask(2)).trace).hedge).toMatchObject({ won: true });
    await engine.close();
  });

  it('the primary wins when the hedge target fails, and the call answers from the primary', async () => {
    mock.reset();
    mock.setScenario({
      models: {
        'gpt-4.1': { firstTokenMs: 300, tokenMs: 1, answerTokens: 12 },
        'gemini-2.5-flash': { faults: ['500'] },
      },
    });
    const { engine, events } = hedgingEngine({
      targets: ['openai/gpt-4.1', 'gemini/gemini-2.5-flash'],
      hedge: { after: 50, maxRatio: 1 },
    });
    const trace = await engine.execute(ask(0)).trace;
    expect(trace.outcome).toBe('success');
    expect(trace.answeredBy?.model).toBe('gpt-4.1');
    expect(trace.hedge).toMatchObject({ won: false });
    expect(events.find((e) => e.type === 'hedge_settled')).toMatchObject({ winner: 'primary' });
    expect(trace.attempts.map((a) => [a.model, a.outcome])).toEqual([
      ['gemini-2.5-flash', 'error'],
      ['gpt-4.1', 'success'],
    ]);
    await engine.close();
  });

  it("the primary wins when its first token comes before the hedge's: the hedge is aborted and nothing of it reaches the caller", async () => {
    const reference = await referenceTexts(1);
    mock.setScenario({
      models: {
        'gpt-4.1': { firstTokenMs: 300, tokenMs: 1, answerTokens: 12 },
        'gemini-2.5-flash': { firstTokenMs: 3000, tokenMs: 1, answerTokens: 12 },
      },
    });
    const { engine } = hedgingEngine({
      targets: ['openai/gpt-4.1', 'gemini/gemini-2.5-flash'],
      hedge: { after: 50, maxRatio: 1 },
    });
    const call = engine.execute(ask(0));
    const parts: string[] = [];
    for await (const part of call)
      if (part.type === 'block_delta' && part.delta.type === 'text') parts.push(part.delta.text);
    const trace = await call.trace;
    expect(trace.answeredBy?.model).toBe('gpt-4.1');
    expect(trace.hedge).toMatchObject({ target: { model: 'gemini-2.5-flash' }, won: false });
    expect(trace.attempts.map((a) => [a.model, a.outcome, a.error?.code])).toEqual([
      ['gemini-2.5-flash', 'cancelled', 'OUTLAST_HEDGE_LOST'],
      ['gpt-4.1', 'success', undefined],
    ]);
    await waitFor(() => mock.log().find((e) => e.model === 'gemini-2.5-flash')?.disconnected === true);
    expect(mock.log().find((e) => e.model === 'gemini-2.5-flash')?.tokensSent).toBe(0);
    expect(parts.join('')).toBe(reference['gpt-4.1']?.[0]);
    await engine.close();
  });

  it("hedges a balanced group's pick onto the group's other member", async () => {
    mock.reset();
    mock.setScenario({
      models: {
        'gpt-4.1': { firstTokenMs: 600, tokenMs: 1, answerTokens: 12 },
        'gpt-4.1-mini': { firstTokenMs: 600, tokenMs: 1, answerTokens: 12 },
        'gemini-2.5-flash': FAST_MODELS['gemini-2.5-flash'],
      },
    });
    // Round-robin over two slow members, both slower than the hedge delay: each call's pick is
    // hedged onto the other member, never past the group to the chain's next target.
    const { engine } = hedgingEngine({
      targets: [
        { balance: 'round-robin', targets: ['openai/gpt-4.1', 'openai/gpt-4.1-mini'] },
        'gemini/gemini-2.5-flash',
      ],
      hedge: { after: 100, maxRatio: 1 },
    });
    const first = await engine.execute(ask(0)).trace;
    const second = await engine.execute(ask(1)).trace;
    for (const t of [first, second]) {
      expect(t.outcome).toBe('success');
      expect(['gpt-4.1', 'gpt-4.1-mini']).toContain(t.hedge?.target.model);
      expect(t.attempts.every((a) => a.model !== 'gemini-2.5-flash')).toBe(true);
    }
    // Round-robin: the two calls picked different members, so their hedges went opposite ways.
    expect(first.hedge?.target.model).not.toBe(second.hedge?.target.model);
    await engine.close();
  }, 20_000);
});
