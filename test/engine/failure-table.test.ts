/**
 * The failure table (src/errors/error-kind.ts, docs/architecture.md), row by row, over real
 * sockets against the mock provider: what
 * each model saw (the mock's log) and what the caller got.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, EngineOptions } from '../../src/engine/index.ts';
import { OutlastError } from '../../src/errors/index.ts';
import type { MockProvider } from '../../src/testing/index.ts';
import type { CanonicalRequest } from '../../src/wire/canonical/index.ts';
import { attemptsByModel, engineFor, FAST, gapsFor, startMock } from './support/harness.ts';

const PRIMARY = 'gpt-4.1';
const FALLBACK = 'gemini-2.5-flash';
const route = { default: [`openai/${PRIMARY}`, `gemini/${FALLBACK}`] };
const ask: CanonicalRequest = {
  model: 'default',
  maxTokens: 60,
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Tell me about resilience.' }] }],
};

let mock: MockProvider;
let engine: Engine | undefined;
let healthyText: Record<string, string> = {};
beforeAll(async () => {
  mock = await startMock();
  const e = engineFor(mock, { routes: { a: [`openai/${PRIMARY}`], b: [`gemini/${FALLBACK}`] } });
  const text = async (model: string) =>
    (await e.execute({ ...ask, model }).response()).content
      .map((b) => (b.type === 'text' ? b.text : ''))
      .join('');
  healthyText = { [PRIMARY]: await text('a'), [FALLBACK]: await text('b') };
  await e.close();
  mock.reset();
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  mock.reset();
});
afterAll(async () => {
  await mock.close();
});

/** `sameText`: the fallback answers with the primary's text, as a model able to continue the primary's answer would. */
async function run(fault: unknown, options: Partial<EngineOptions> = {}, sameText = false) {
  mock.setScenario({
    models: {
      [PRIMARY]: { faults: [fault as string] },
      ...(sameText ? { [FALLBACK]: { textKey: PRIMARY } } : {}),
    },
  });
  engine = engineFor(mock, { routes: route, ...options });
  const call = engine.execute(ask);
  const result = await call.response().then(
    (response) => ({ response, error: undefined }),
    (error: unknown) => ({ response: undefined, error: error as OutlastError }),
  );
  const text = result.response?.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  return { ...result, text, trace: await call.trace, log: mock.log(), seen: attemptsByModel(mock.log()) };
}

describe('failure table, before the commit point', () => {
  it('rate_limited: a short hint is waited out on the target the caller chose, though a fallback is ready', async () => {
    const r = await run({ fault: '429 retry-after-ms=120', times: 1 });
    expect(r.seen).toEqual({ [PRIMARY]: 2 });
    expect(gapsFor(r.log, PRIMARY)[0]).toBeGreaterThanOrEqual(120);
    expect(r.text).toBe(healthyText[PRIMARY]);
  });

  it('rate_limited: a hint past the short wait cools the target and falls back at once to a ready target', async () => {
    const r = await run(
      { fault: '429 retry-after-ms=120', times: 1 },
      { retry: { ...FAST.retry, hintWaitMs: 100 } },
    );
    expect(r.seen).toEqual({ [PRIMARY]: 1, [FALLBACK]: 1 });
    expect(r.text).toBe(healthyText[FALLBACK]);
  });

  it('rate_limited: a route that prefers the fastest answer falls back at once on a short hint', async () => {
    const r = await run(
      { fault: '429 retry-after-ms=120', times: 1 },
      { routes: { default: { targets: route.default, prefer: 'fastest' } } },
    );
    expect(r.seen).toEqual({ [PRIMARY]: 1, [FALLBACK]: 1 });
    expect(r.text).toBe(healthyText[FALLBACK]);
  });

  it('rate_limited: with nothing else to try, waits for a hint that fits the deadline, then answers on the same target', async () => {
    mock.setScenario({ models: { [PRIMARY]: { faults: [{ fault: '429 retry-after-ms=120', times: 1 }] } } });
    engine = engineFor(mock, { routes: { default: [`openai/${PRIMARY}`] } });
    const response = await engine.execute(ask).response();
    const r = {
      log: mock.log(),
      seen: attemptsByModel(mock.log()),
      text: response.content.map((b) => (b.type === 'text' ? b.text : '')).join(''),
    };
    expect(r.seen).toEqual({ [PRIMARY]: 2 });
    expect(gapsFor(r.log, PRIMARY)[0]).toBeGreaterThanOrEqual(120);
    expect(r.text).toBe(healthyText[PRIMARY]);
  });

  it('rate_limited: a hint past the deadline falls back at once', async () => {
    const r = await run('429 retry-after=30');
    expect(r.seen).toEqual({ [PRIMARY]: 1, [FALLBACK]: 1 });
    expect(r.response?.model).toContain(FALLBACK);
  });

  it.each([['529'], ['503']])('overloaded (%s): falls back first to the ready target', async (fault) => {
    const r = await run(fault);
    expect(r.seen).toEqual({ [PRIMARY]: 1, [FALLBACK]: 1 });
    expect(r.trace.attempts.map((a) => a.errorKind ?? 'ok')).toEqual(['overloaded', 'ok']);
    expect(r.text).toBe(healthyText[FALLBACK]);
  });

  it('overloaded: retried once with backoff when nothing else is left', async () => {
    mock.setScenario({ models: { [PRIMARY]: { faults: [{ fault: '529', times: 1 }] } } });
    engine = engineFor(mock, { routes: { default: [`openai/${PRIMARY}`] } });
    const r = await engine.execute(ask).response();
    expect(r.model).toContain(PRIMARY);
    expect(attemptsByModel(mock.log())).toEqual({ [PRIMARY]: 2 });
    expect(gapsFor(mock.log(), PRIMARY)[0]).toBeLessThan(1000);
  });

  it.each([
    ['server', '500'],
    ['server', '502'],
    ['server', '504'],
    ['network', 'reset'],
  ])('%s (%s): retried once with backoff, then falls back', async (_kind, fault) => {
    const r = await run(fault);
    expect(r.seen).toEqual({ [PRIMARY]: 2, [FALLBACK]: 1 });
    const gap = gapsFor(r.log, PRIMARY)[0]!;
    expect(gap).toBeLessThan(1000);
    expect(r.trace.attempts.map((a) => a.errorKind ?? 'ok')).toEqual([_kind, _kind, 'ok']);
    expect(r.text).toBe(healthyText[FALLBACK]);
  });

  it.each([
    ['headers', 'hang'],
    ['first_token', 'silence'],
  ])('timeout (%s): falls back first, without retrying the silent target', async (phase, fault) => {
    const r = await run(fault);
    expect(r.seen).toEqual({ [PRIMARY]: 1, [FALLBACK]: 1 });
    expect(r.trace.attempts[0]).toMatchObject({ errorKind: 'timeout' });
    expect(r.trace.attempts[0]!.error?.phase).toBe(phase);
  });

  it('timeout: the silent target is retried when nothing else is left', async () => {
    mock.setScenario({ models: { [PRIMARY]: { faults: [{ fault: 'silence', times: 1 }] } } });
    engine = engineFor(mock, { routes: { default: [`openai/${PRIMARY}`] } });
    const r = await engine.execute(ask).response();
    expect(r.model).toContain(PRIMARY);
    expect(attemptsByModel(mock.log())).toEqual({ [PRIMARY]: 2 });
  });

  it('an in-band error event before any content is retried like its HTTP twin', async () => {
    const r = await run('error_event at=0 error=overloaded');
    expect(r.seen).toEqual({ [PRIMARY]: 2, [FALLBACK]: 1 });
    // OpenAI's in-band error carries no overload type: it reads as a server error, retried the same way.
    expect(r.trace.attempts[0]!.errorKind).toBe('server');
  });

  it.each([
    ['context_length', 'context_length'],
    ['auth', '401'],
    ['permission', '403'],
    ['not_found', '404'],
  ])('%s: never retried here, falls back at once', async (kind, fault) => {
    const r = await run(fault);
    expect(r.seen).toEqual({ [PRIMARY]: 1, [FALLBACK]: 1 });
    expect(r.trace.attempts[0]!.errorKind).toBe(kind);
    expect(r.error).toBeUndefined();
  });

  it.each([
    ['bad_request', '400'],
    ['content_filter', 'content_filter'],
  ])('%s: never retried, no fallback, the caller gets it', async (kind, fault) => {
    const r = await run(fault);
    expect(r.seen).toEqual({ [PRIMARY]: 1 });
    expect(OutlastError.isInstance(r.error)).toBe(true);
    expect(r.error?.kind).toBe(kind);
    expect(r.error?.status).toBe(400);
    expect(r.error?.attempts).toHaveLength(1);
  });

  it('every target failing: the primary real failure reaches the caller with every attempt', async () => {
    mock.setScenario({ models: { [PRIMARY]: { faults: ['529'] }, [FALLBACK]: { faults: ['500'] } } });
    engine = engineFor(mock, { routes: route });
    const error = (await engine
      .execute(ask)
      .response()
      .catch((e: unknown) => e)) as OutlastError;
    expect(error.kind).toBe('overloaded');
    expect(error.attempts).toHaveLength(4);
    expect(error.message).toMatch(
      new RegExp(
        `^upstream openai/${PRIMARY} answered 529 \\S+ after 2 attempts \\(.+\\); fell back to gemini/${FALLBACK}: 500`,
      ),
    );
  });
});

describe('failure table, after the commit point', () => {
  it('timeout (idle): the silent target is left and the next one continues the answer', async () => {
    const r = await run({ fault: 'stall after=6', times: 1 }, {}, true);
    expect(r.error).toBeUndefined();
    expect(r.trace.continued).toBe(true);
    expect(r.text).toBe(healthyText[PRIMARY]);
    // The mock's tokens are words with their leading space: the primary's first six arrived.
    const head = healthyText[PRIMARY]!.split(/(?= )/).slice(0, 6).join('');
    expect(r.text?.startsWith(head)).toBe(true);
    expect(r.text!.length).toBeGreaterThan(head.length);
    expect(r.seen).toEqual({ [PRIMARY]: 1, [FALLBACK]: 1 });
    expect(r.trace.attempts.map((a) => [a.model, a.continuation ?? false])).toEqual([
      [PRIMARY, false],
      [FALLBACK, true],
    ]);
  });

  it.each([
    ['stream_interrupted (cut)', 'cut after=6'],
    ['stream_interrupted (error event)', 'error_event at=6'],
  ])('%s: the answer is continued on the same target and reads as one', async (_name, fault) => {
    const r = await run({ fault, times: 1 });
    expect(r.error).toBeUndefined();
    expect(r.text).toBe(healthyText[PRIMARY]);
    expect(r.trace.continued).toBe(true);
    const continuation = r.log.filter((e) => e.continuation);
    expect(continuation.length).toBe(1);
    expect(continuation[0]!.continuationMatched).toBe(true);
  });

  it("salvage mode ends with what arrived, marked truncated (stop 'max_tokens')", async () => {
    const r = await run('cut after=6', { stream: 'salvage' });
    expect(r.trace.outcome).toBe('salvaged');
    expect(r.response?.stopReason).toBe('max_tokens');
    expect(healthyText[PRIMARY]!.startsWith(r.text ?? '')).toBe(true);
    expect(r.seen).toEqual({ [PRIMARY]: 1 });
  });

  it('error mode fails with the interruption itself', async () => {
    const r = await run('cut after=6', { stream: 'error' });
    expect(r.error?.kind).toBe('stream_interrupted');
    expect(r.seen).toEqual({ [PRIMARY]: 1 });
  });

  it('invalid_response: a malformed event in an intact stream is skipped', async () => {
    const r = await run('malformed at=3');
    expect(r.seen).toEqual({ [PRIMARY]: 1 });
    expect(r.text).toBe(healthyText[PRIMARY]);
  });

  it('a stream that ends cleanly without [DONE] completes at once', async () => {
    const r = await run('no_terminal');
    expect(r.seen).toEqual({ [PRIMARY]: 1 });
    expect(r.text).toBe(healthyText[PRIMARY]);
    expect(r.trace.continued).toBe(false);
  });
});

describe('stream recovery across targets', () => {
  it.each(['cut_after_stop', 'cut_after_stop usage=false'])(
    'a stream that lost only its closing events after the finish reason (%s) is whole: not continued',
    async (fault) => {
      const r = await run({ fault, times: 1 });
      expect(r.error).toBeUndefined();
      expect(r.text).toBe(healthyText[PRIMARY]);
      expect(r.trace.continued).toBe(false);
      expect(r.seen).toEqual({ [PRIMARY]: 1 });
      expect(r.response?.stopReason).toBe('end_turn');
    },
  );

  it('a target that keeps breaking mid-answer hands the continuation to the next one', async () => {
    const r = await run('cut after=6', { stream: { maxContinuations: 3 } }, true);
    expect(r.error).toBeUndefined();
    expect(r.trace.continued).toBe(true);
    // The primary's continuation breaks again (inside the overlap it repeats, so nothing new reaches the caller): Gemini finishes.
    expect(r.seen).toEqual({ [PRIMARY]: 2, [FALLBACK]: 1 });
    expect(r.trace.answeredBy).toEqual({ provider: 'gemini', model: FALLBACK });
    expect(r.text?.startsWith(healthyText[PRIMARY]!.slice(0, 10))).toBe(true);
  });

  it('when nothing can continue, the caller gets the interruption, not a continuation artefact', async () => {
    mock.setScenario({ models: { [PRIMARY]: { faults: ['cut after=6'] } } });
    engine = engineFor(mock, { routes: { default: [`openai/${PRIMARY}`] } });
    const error = (await engine
      .execute(ask)
      .response()
      .catch((e: unknown) => e)) as OutlastError;
    expect(error.kind).toBe('stream_interrupted');
    expect(error.message).toMatch(new RegExp(`^upstream openai/${PRIMARY} broke off mid-answer`));
    // The first attempt, then at most two continuations (maxContinuations), each with its retry
    // when it broke before any new text reached the caller.
    const seen = attemptsByModel(mock.log())[PRIMARY] ?? 0;
    expect(seen).toBeGreaterThanOrEqual(3);
    expect(seen).toBeLessThanOrEqual(5);
  });
});
