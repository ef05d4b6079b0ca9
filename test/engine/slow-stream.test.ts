/**
 * The slow-stream guard over real sockets (stream.slowFloor): a stream that crawls below the
 * floor is abandoned before the commit point (the caller sees only the next target's answer);
 * after the commit point it streams on, unless afterCommit: 'continue' asks for the answer to
 * be continued elsewhere. Outcomes and counts are asserted, not timings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent, EngineOptions } from '../../src/engine/index.ts';
import type { MockProvider } from '../../src/testing/index.ts';
import type { CanonicalRequest, CanonicalResponse, StreamPart } from '../../src/wire/canonical/index.ts';
import { waitFor } from '../support/wait-for.ts';
import { engineFor, startMock } from './support/harness.ts';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMock({});
});
afterAll(async () => {
  await mock.close();
});

const TIMEOUT = {
  connect: 1000,
  headers: 2000,
  firstToken: 2000,
  idle: 2000,
  total: 15_000,
  deadline: 20_000,
};
// Judged from 1 s after the first token, over the last second.
const GUARD = { tokensPerSecond: 10, graceMs: 500, windowMs: 1000 };
const route = { default: ['openai/gpt-4.1', 'gemini/gemini-2.5-flash'] };

const ask: CanonicalRequest = {
  model: 'default',
  maxTokens: 400,
  stream: true,
  messages: [{ role: 'user', content: [{ type: 'text', text: 'tell me a story' }] }],
};
const toolAsk: CanonicalRequest = {
  ...ask,
  tools: [
    {
      name: 'book_trip',
      inputSchema: {
        type: 'object',
        properties: {
          origin: { type: 'string' },
          destination: { type: 'string' },
          traveller: { type: 'string' },
          notes: { type: 'string' },
        },
      },
    },
  ],
  toolChoice: { type: 'tool', name: 'book_trip' },
};
const textOf = (r: CanonicalResponse) => r.content.map((b) => (b.type === 'text' ? b.text : '')).join('');

function guarded(stream: NonNullable<EngineOptions['stream']>) {
  const events: EngineEvent[] = [];
  const engine = engineFor(mock, { routes: route, timeout: TIMEOUT, stream, on: (e) => events.push(e) });
  return { engine, events };
}

describe('slow-stream guard', () => {
  it('abandons a crawling stream before the commit point: the call goes on elsewhere and the caller sees only that answer', async () => {
    mock.reset();
    // A forced tool call is held until whole: its crawling arguments are all before the commit point.
    mock.setScenario({
      models: {
        'gpt-4.1': { firstTokenMs: 5, tokenMs: 400 },
        'gemini-2.5-flash': { firstTokenMs: 5, tokenMs: 1 },
      },
    });
    const { engine, events } = guarded({ slowFloor: GUARD });
    const call = engine.execute(toolAsk);
    const parts: StreamPart[] = [];
    for await (const part of call) parts.push(part);
    const trace = await call.trace;
    expect(trace.outcome).toBe('success');
    expect(trace.continued).toBe(false);
    expect(trace.attempts.map((a) => [a.model, a.outcome, a.error?.code])).toEqual([
      ['gpt-4.1', 'error', 'OUTLAST_SLOW_STREAM'],
      ['gemini-2.5-flash', 'success', undefined],
    ]);
    expect(trace.attempts[0]?.error?.message).toMatch(
      /tokens\/s over the last 1000 ms, below the slow-stream floor of 10\.0 tokens\/s before the commit point/,
    );
    // One tool call reached the caller, whole, from the fallback.
    const starts = parts.filter((p) => p.type === 'block_start');
    expect(starts).toHaveLength(1);
    expect(events.some((e) => e.type === 'interruption')).toBe(false);
    // The crawling upstream request was aborted.
    await waitFor(() => mock.log()[0]?.disconnected === true);
    expect(mock.log().map((e) => [e.model, e.disconnected])).toEqual([
      ['gpt-4.1', true],
      ['gemini-2.5-flash', false],
    ]);
    await engine.close();
  });

  it('lets a committed answer crawl to its end by default (afterCommit: keep)', async () => {
    mock.reset();
    mock.setScenario({ models: { 'gpt-4.1': { firstTokenMs: 5, tokenMs: 250, answerTokens: 10 } } });
    // The same crawl that the next test continues elsewhere: here it runs on to its end.
    const { engine: e2, events } = guarded({ slowFloor: GUARD });
    const trace = await e2.execute(ask).trace;
    expect(trace.outcome).toBe('success');
    expect(trace.attempts.map((a) => [a.model, a.outcome])).toEqual([['gpt-4.1', 'success']]);
    expect(mock.log()[0]?.tokensSent).toBe(10);
    expect(events.some((e) => e.type === 'interruption')).toBe(false);
    await e2.close();
  });

  it("continues a committed answer elsewhere when afterCommit: 'continue' asks for it", async () => {
    mock.reset();
    // One text for both models, so the continuation reassembles the same answer.
    const healthy = { textKey: 'story', firstTokenMs: 5, tokenMs: 1, answerTokens: 30 };
    mock.setScenario({ models: { 'gpt-4.1': healthy, 'gemini-2.5-flash': healthy } });
    const plain = engineFor(mock, { routes: { default: ['gemini/gemini-2.5-flash'] }, timeout: TIMEOUT });
    const reference = textOf(await plain.execute(ask).response());
    await plain.close();
    mock.reset();
    mock.setScenario({
      models: { 'gpt-4.1': { ...healthy, tokenMs: 250 }, 'gemini-2.5-flash': healthy },
    });
    const { engine, events } = guarded({ slowFloor: { ...GUARD, afterCommit: 'continue' } });
    const call = engine.execute(ask);
    const answer = await call.response();
    const trace = await call.trace;
    expect(trace.outcome).toBe('success');
    expect(trace.continued).toBe(true);
    expect(trace.attempts.map((a) => [a.model, a.outcome, a.continuation ?? false])).toEqual([
      ['gpt-4.1', 'error', false],
      ['gemini-2.5-flash', 'success', true],
    ]);
    expect(trace.attempts[0]?.error?.code).toBe('OUTLAST_SLOW_STREAM');
    expect(events.find((e) => e.type === 'interruption')).toMatchObject({
      model: 'gpt-4.1',
      action: 'continue',
    });
    expect(textOf(answer)).toBe(reference);
    expect(mock.log()[0]?.tokensSent).toBeLessThan(30);
    await engine.close();
  });

  it('with only a relative rule, judges a target against its own median rate, once it has 20 streams', async () => {
    mock.reset();
    const fast = { textKey: 'story', firstTokenMs: 5, tokenMs: 5, answerTokens: 30 };
    const crawl = { ...fast, tokenMs: 60 };
    const rule = { relative: 0.3, graceMs: 100, windowMs: 200, afterCommit: 'continue' as const };
    const { engine, events } = guarded({ slowFloor: rule });
    const interruptions = () => events.filter((e) => e.type === 'interruption').length;
    // No norm yet: a crawl is nobody's business.
    mock.setScenario({ models: { 'gpt-4.1': crawl, 'gemini-2.5-flash': fast } });
    const early = await engine.execute(ask).trace;
    expect(early.attempts.map((a) => [a.model, a.outcome])).toEqual([['gpt-4.1', 'success']]);
    // 20 healthy streams make the target's norm.
    mock.setScenario({ models: { 'gpt-4.1': fast, 'gemini-2.5-flash': fast } });
    for (let i = 0; i < 20; i++) expect((await engine.execute(ask).trace).outcome).toBe('success');
    expect(interruptions()).toBe(0);
    // Now the same crawl is far below 30% of the norm: continued on the next target.
    mock.setScenario({ models: { 'gpt-4.1': crawl, 'gemini-2.5-flash': fast } });
    const late = await engine.execute(ask).trace;
    expect(late.continued).toBe(true);
    expect(late.attempts.map((a) => [a.model, a.error?.code])).toEqual([
      ['gpt-4.1', 'OUTLAST_SLOW_STREAM'],
      ['gemini-2.5-flash', undefined],
    ]);
    expect(interruptions()).toBe(1);
    await engine.close();
  }, 30_000);
});
