/**
 * `stream: { upstream: 'when-streaming' }`: a non-streaming call asks the upstream for one JSON
 * body instead of a stream. Over real sockets against the mock provider: the same answers and
 * the same typed errors as the default (which streams every call upstream), cut and malformed
 * bodies never returned, streaming calls untouched.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, EngineOptions } from '../../src/engine/index.ts';
import { OutlastError } from '../../src/errors/index.ts';
import { parseConfig } from '../../src/gateway/config/index.ts';
import { createClient } from '../../src/index.ts';
import type { MockProvider } from '../../src/testing/index.ts';
import type { CanonicalRequest, CanonicalResponse } from '../../src/wire/canonical/index.ts';
import { attemptsByModel, engineFor, providersFor, startMock } from './support/harness.ts';

const JSON_UPSTREAM = { stream: { upstream: 'when-streaming' as const } };
const MODELS = { anthropic: 'claude-sonnet-4-5', openai: 'gpt-4.1', gemini: 'gemini-2.5-flash' } as const;
const FORMATS = ['anthropic', 'openai', 'gemini'] as const;

const ask: CanonicalRequest = {
  model: 'default',
  maxTokens: 60,
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Tell me about resilience.' }] }],
};

let mock: MockProvider;
const engines: Engine[] = [];
beforeAll(async () => {
  mock = await startMock();
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
  mock.reset();
});
afterAll(async () => {
  await mock.close();
});

function engine(options: Partial<EngineOptions> & Pick<EngineOptions, 'routes'>): Engine {
  const e = engineFor(mock, options);
  engines.push(e);
  return e;
}

async function outcome(e: Engine, request: CanonicalRequest = ask) {
  const call = e.execute(request);
  const result = await call.response().then(
    (response) => ({ response, error: undefined }),
    (error: unknown) => ({ response: undefined, error: error as OutlastError }),
  );
  return { ...result, trace: await call.trace, log: mock.log() };
}

/** The answer without what differs from one request to the next (the mock's ids, Gemini's made-up call ids). */
const stable = (r: CanonicalResponse | undefined) =>
  r && {
    ...r,
    id: '(id)',
    content: r.content.map((b) => (b.type === 'tool_use' ? { ...b, id: '(id)' } : b)),
  };

/** The same faults, answered once by the default (streamed upstream) and once with JSON upstream. */
async function bothWays(fault: unknown, options: Partial<EngineOptions> & Pick<EngineOptions, 'routes'>) {
  const run = async (extra: Partial<EngineOptions>) => {
    mock.reset();
    mock.setScenario({ models: { [MODELS.openai]: { faults: [fault as string] } } });
    return outcome(engine({ ...options, ...extra }));
  };
  return { streamed: await run({}), json: await run(JSON_UPSTREAM) };
}

/** The fields of a typed error the caller relies on. */
const typed = (e: OutlastError | undefined) =>
  e && {
    kind: e.kind,
    status: e.status,
    provider: e.provider,
    model: e.model,
    retryable: e.retryable,
    retryAfterMs: e.retryAfterMs,
    providerMessage: e.providerMessage,
    requestId: e.requestId === undefined ? undefined : '(set)',
  };

describe('JSON upstream for non-streaming calls', () => {
  it.each(FORMATS)(
    '%s: answers a non-streaming call from one JSON body, as the streamed default does',
    async (format) => {
      const routes = { default: [`${format}/${MODELS[format]}`] };
      const streamed = await outcome(engine({ routes }));
      expect(streamed.log.map((e) => e.stream)).toEqual([true]);
      mock.reset();
      const json = await outcome(engine({ routes, ...JSON_UPSTREAM }));
      expect(json.log.map((e) => [e.stream, e.status])).toEqual([[false, 200]]);
      expect(json.error).toBeUndefined();
      expect(json.response!.content[0]).toMatchObject({ type: 'text' });
      expect(stable(json.response)).toEqual(stable(streamed.response));
      expect(json.trace).toMatchObject({ outcome: 'success', answeredBy: { provider: format } });
      expect(json.trace.attempts).toHaveLength(1);
    },
  );

  it('carries thinking (with its signature) and forced tool calls through as the stream would', async () => {
    const thinking: CanonicalRequest = {
      ...ask,
      maxTokens: 2000,
      thinking: { type: 'enabled', budgetTokens: 1024 },
    };
    const tool: CanonicalRequest = {
      ...ask,
      tools: [
        {
          name: 'lookup',
          inputSchema: { type: 'object', properties: { q: { type: 'string' }, n: { type: 'number' } } },
        },
      ],
      toolChoice: { type: 'any' },
    };
    for (const [format, request] of [
      ['anthropic', thinking],
      ['anthropic', tool],
      ['openai', tool],
      ['gemini', tool],
    ] as const) {
      const routes = { default: [`${format}/${MODELS[format]}`] };
      const streamed = await outcome(engine({ routes }), request);
      const json = await outcome(engine({ routes, ...JSON_UPSTREAM }), request);
      expect(json.error).toBeUndefined();
      expect(stable(json.response)).toEqual(stable(streamed.response));
      expect(json.response!.content.map((b) => b.type)).toContain(request === tool ? 'tool_use' : 'thinking');
      mock.reset();
    }
  });

  it('the default still streams a non-streaming call upstream; a streaming call streams with the option too', async () => {
    const routes = { default: [`openai/${MODELS.openai}`] };
    await outcome(engine({ routes }));
    expect(mock.log().map((e) => e.stream)).toEqual([true]);
    mock.reset();

    const call = engine({ routes, ...JSON_UPSTREAM }).execute({ ...ask, stream: true });
    const types: string[] = [];
    for await (const part of call) types.push(part.type);
    expect(mock.log().map((e) => e.stream)).toEqual([true]);
    expect(types.filter((t) => t === 'block_delta').length).toBeGreaterThan(1);
    expect(types.at(-1)).toBe('message_stop');
  });

  it('a 5xx falls back to the next target, with the same typed attempt error as the default', async () => {
    const routes = { default: [`openai/${MODELS.openai}`, `gemini/${MODELS.gemini}`] };
    const { streamed, json } = await bothWays('500', { routes, retry: { attempts: 1 } });
    expect(attemptsByModel(json.log)).toEqual({ [MODELS.openai]: 1, [MODELS.gemini]: 1 });
    expect(json.log.map((e) => e.stream)).toEqual([false, false]);
    expect(json.trace.answeredBy).toEqual({ provider: 'gemini', model: MODELS.gemini });
    expect(stable(json.response)).toEqual(stable(streamed.response));
    const failed = json.trace.attempts[0]!.error;
    expect(typed(failed)).toEqual(typed(streamed.trace.attempts[0]!.error));
    expect(failed).toMatchObject({ kind: 'server', status: 500, provider: 'openai' });
    expect(failed?.requestId).toMatch(/^req_/);
  });

  it('a 429 keeps its retry-after and provider message, and fails typed as the default does', async () => {
    const routes = { default: [`openai/${MODELS.openai}`] };
    const { streamed, json } = await bothWays('429 retry-after=30 message=Slow+down', { routes });
    expect(json.log.map((e) => [e.stream, e.status])).toEqual([[false, 429]]);
    expect(json.error).toBeInstanceOf(OutlastError);
    expect(json.error).toMatchObject({
      kind: 'rate_limited',
      status: 429,
      retryAfterMs: 30_000,
      providerMessage: 'Slow down',
    });
    expect(typed(json.error)).toEqual(typed(streamed.error));
    expect(json.error!.attempts).toHaveLength(1);
  });

  it('a 429 whose hint fits is waited out, then the same target answers', async () => {
    const routes = { default: [`openai/${MODELS.openai}`] };
    mock.setScenario({
      models: { [MODELS.openai]: { faults: [{ fault: '429 retry-after-ms=120', times: 1 }] } },
    });
    const r = await outcome(engine({ routes, ...JSON_UPSTREAM }));
    expect(r.log.map((e) => [e.stream, e.status])).toEqual([
      [false, 429],
      [false, 200],
    ]);
    expect(r.error).toBeUndefined();
    expect(r.log[1]!.elapsedMs - r.log[0]!.elapsedMs).toBeGreaterThanOrEqual(120);
  });

  it('a body cut halfway is a failure: retried on the same target, never returned', async () => {
    const routes = { default: [`openai/${MODELS.openai}`] };
    mock.setScenario({ models: { [MODELS.openai]: { faults: [{ fault: 'cut after=3', times: 1 }] } } });
    const r = await outcome(engine({ routes, ...JSON_UPSTREAM }));
    expect(r.log.map((e) => [e.stream, e.status])).toEqual([
      [false, 200],
      [false, 200],
    ]);
    expect(r.trace.attempts[0]).toMatchObject({ outcome: 'error', errorKind: 'stream_interrupted' });
    expect(r.trace.attempts[0]!.error?.requestId).toMatch(/^req_/);
    expect(r.trace.attempts[1]).toMatchObject({ outcome: 'success' });
    mock.reset();
    const healthy = await outcome(engine({ routes, ...JSON_UPSTREAM }));
    expect(stable(r.response)).toEqual(stable(healthy.response));
  });

  it('a body cut on every try fails over, and fails typed when nothing is left', async () => {
    const routes = { default: [`openai/${MODELS.openai}`, `gemini/${MODELS.gemini}`] };
    mock.setScenario({ models: { [MODELS.openai]: { faults: ['cut after=3'] } } });
    const over = await outcome(engine({ routes, ...JSON_UPSTREAM }));
    expect(over.trace.answeredBy).toEqual({ provider: 'gemini', model: MODELS.gemini });
    expect(over.trace.attempts.map((a) => a.errorKind)).toEqual([
      'stream_interrupted',
      'stream_interrupted',
      undefined,
    ]);
    mock.reset();
    const alone = await outcome(
      engine({ routes: { default: [`openai/${MODELS.openai}`] }, ...JSON_UPSTREAM }),
    );
    expect(alone.response).toBeUndefined();
    expect(alone.error).toMatchObject({ kind: 'stream_interrupted', provider: 'openai' });
  });

  it('a 200 whose body is not whole JSON is an invalid response, retried', async () => {
    const routes = { default: [`anthropic/${MODELS.anthropic}`] };
    mock.setScenario({ models: { [MODELS.anthropic]: { faults: ['malformed at=2'] } } });
    const r = await outcome(engine({ routes, ...JSON_UPSTREAM }));
    expect(r.log.map((e) => [e.stream, e.status])).toEqual([
      [false, 200],
      [false, 200],
    ]);
    expect(r.error).toMatchObject({ kind: 'invalid_response', status: 200, provider: 'anthropic' });
    expect(r.error!.attempts?.map((a) => a.errorKind)).toEqual(['invalid_response', 'invalid_response']);
  });

  it('waits for the headers up to the attempt total: a slow model that would miss the first-token budget answers', async () => {
    const routes = { default: [`openai/${MODELS.openai}`] };
    // FAST's first-token budget is 250 ms and its headers budget 400 ms; the mock holds a whole answer for 600 ms.
    mock.setScenario({ models: { [MODELS.openai]: { firstTokenMs: 600 } } });
    const streamed = await outcome(engine({ routes, retry: false }));
    expect(streamed.error).toMatchObject({ kind: 'timeout', phase: 'first_token' });
    mock.reset();
    const json = await outcome(engine({ routes, retry: false, ...JSON_UPSTREAM }));
    expect(json.error).toBeUndefined();
    expect(json.log.map((e) => [e.stream, e.status])).toEqual([[false, 200]]);
  });

  it('a silent upstream is caught only at the attempt total, and a stalled body by the idle budget', async () => {
    const routes = { default: [`openai/${MODELS.openai}`] };
    const timeout = {
      ...{ connect: 400, headers: 100, firstToken: 100, idle: 150 },
      total: 500,
      deadline: 2000,
    };
    mock.setScenario({ models: { [MODELS.openai]: { faults: ['hang'] } } });
    const hang = await outcome(engine({ routes, retry: false, timeout, ...JSON_UPSTREAM }));
    expect(hang.error).toMatchObject({ kind: 'timeout' });
    expect(hang.error!.phase === 'headers' || hang.error!.phase === 'total').toBe(true);
    expect(hang.trace.attempts[0]!.durationMs).toBeGreaterThanOrEqual(450);
    mock.reset();
    mock.setScenario({ models: { [MODELS.openai]: { faults: ['silence'] } } });
    const silence = await outcome(engine({ routes, retry: false, timeout, ...JSON_UPSTREAM }));
    expect(silence.error).toMatchObject({ kind: 'timeout', phase: 'idle', limitMs: 150 });
  });
  it("the caller's abort while the upstream prepares its JSON body cancels the call and the upstream request", async () => {
    const routes = { default: [`openai/${MODELS.openai}`] };
    mock.setScenario({ models: { [MODELS.openai]: { firstTokenMs: 2000 } } });
    const controller = new AbortController();
    const call = engine({ routes, ...JSON_UPSTREAM }).execute(ask, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const error = await call.response().then(
      () => undefined,
      (e: unknown) => e as OutlastError,
    );
    expect(error).toMatchObject({ kind: 'cancelled' });
    expect((await call.trace).attempts).toHaveLength(1);
    for (let i = 0; i < 50 && !mock.log()[0]?.disconnected; i++) await new Promise((r) => setTimeout(r, 20));
    expect(mock.log().map((e) => [e.stream, e.disconnected])).toEqual([[false, true]]);
  });
});

describe('the option in the library and the gateway config', () => {
  it('createClient takes it and answers in the Anthropic shape', async () => {
    const client = createClient({
      providers: providersFor(mock),
      routes: { default: [`gemini/${MODELS.gemini}`] },
      ...JSON_UPSTREAM,
    });
    try {
      const message = await client.messages.create({
        model: 'default',
        max_tokens: 60,
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(message).toMatchObject({ type: 'message', role: 'assistant' });
      expect(mock.log().map((e) => e.stream)).toEqual([false]);
    } finally {
      await client.close();
    }
  });

  it('a bad value is named, in the library options and the YAML', () => {
    expect(() =>
      createClient({ providers: providersFor(mock), stream: { upstream: 'never' as 'always' } }),
    ).toThrow(`stream.upstream: expected 'always' or 'when-streaming', got "never"`);
    expect(() =>
      parseConfig('providers: { a: { type: anthropic } }\nstream: { upstream: sometimes }\n', {
        source: 'outlast.yaml',
      }),
    ).toThrow(/stream\.upstream: expected 'always' or 'when-streaming', got "sometimes"/);
    const config = parseConfig(
      'providers: { a: { type: anthropic } }\nstream: { upstream: when-streaming }\n',
    );
    expect(config.stream).toEqual({ upstream: 'when-streaming' });
  });
});
