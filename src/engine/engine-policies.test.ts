import { afterEach, describe, expect, it } from 'vitest';
import { OutlastError } from '../errors/index.ts';
import { createFakeClock } from '../policy/index.ts';
import type { CanonicalRequest } from '../wire/canonical/index.ts';
import { settle, setupFakeEngine } from './fixtures/fake-engine.ts';
import { type Behaviour, createFakeTransport, fakeCodec } from './fixtures/fake-upstream.ts';
import { createEngine, type Engine, type EngineOptions } from './index.ts';

const ask: CanonicalRequest = {
  model: 'default',
  maxTokens: 1000,
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }],
};
let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

function setup(scripts: Record<string, Behaviour[]>, options: Partial<EngineOptions>) {
  const made = setupFakeEngine(scripts, {
    providers: { anthropic: { type: 'anthropic' }, openai: { type: 'openai' } },
    routes: { default: ['anthropic/claude-opus-4-6', 'anthropic/claude-sonnet-4-5', 'openai/gpt-4.1'] },
    retry: { baseMs: 100, capMs: 1000 },
    ...options,
  });
  engine = made.engine;
  return made;
}

const keys = (t: { seen: Array<{ key: string }> }) => t.seen.map((s) => s.key);

describe('engine policies', () => {
  it('a provider-wide outage opens the provider breaker, so all its targets are skipped', async () => {
    const { clock, transport, engine, events } = setup(
      {
        'anthropic/claude-opus-4-6': [{ fail: 'overloaded' }],
        'anthropic/claude-sonnet-4-5': [{ fail: 'overloaded' }],
      },
      // Two of the provider's models failing is provider-wide evidence: with a threshold of one, it opens.
      { retry: 1, breaker: { consecutiveFailures: 1, minimumSpanMs: 0, cooldownMs: 5000 } },
    );
    await settle(clock, engine.execute(ask).response());
    expect(keys(transport)).toEqual([
      'anthropic/claude-opus-4-6',
      'anthropic/claude-sonnet-4-5',
      'openai/gpt-4.1',
    ]);
    expect(events.some((e) => e.type === 'breaker' && e.key === 'anthropic' && e.to === 'open')).toBe(true);
    const call = engine.execute(ask);
    await settle(clock, call.response());
    expect(keys(transport).slice(3)).toEqual(['openai/gpt-4.1']);
    expect((await call.trace).breakerSkips.map((s) => s.reason)).toEqual([
      'provider_breaker_open',
      'provider_breaker_open',
    ]);
  });

  it("one model's outage opens its own breaker only: the provider's other models keep serving", async () => {
    const down = Array.from({ length: 12 }, () => ({ fail: 'overloaded' }) as Behaviour);
    const { clock, transport, engine, events } = setup(
      { 'anthropic/claude-opus-4-6': down },
      { retry: 1, breaker: { consecutiveFailures: 2, minimumSpanMs: 0, cooldownMs: 60_000 } },
    );
    for (let i = 0; i < 4; i++) await settle(clock, engine.execute(ask).response());
    expect(keys(transport)).toEqual([
      'anthropic/claude-opus-4-6',
      'anthropic/claude-sonnet-4-5',
      'anthropic/claude-opus-4-6',
      'anthropic/claude-sonnet-4-5',
      'anthropic/claude-sonnet-4-5',
      'anthropic/claude-sonnet-4-5',
    ]);
    expect(events.some((e) => e.type === 'breaker' && e.key === 'anthropic')).toBe(false);
    expect(
      events.some((e) => e.type === 'breaker' && e.key === 'anthropic/claude-opus-4-6' && e.to === 'open'),
    ).toBe(true);
  });

  it('after the cooldown one half-open probe goes to the primary, and success brings traffic back', async () => {
    const { clock, transport, engine } = setup(
      { 'anthropic/claude-opus-4-6': [{ fail: 'server' }, { text: 'back' }] },
      { retry: 1, breaker: { consecutiveFailures: 1, minimumSpanMs: 0, cooldownMs: 5000 } },
    );
    await settle(clock, engine.execute(ask).response());
    await settle(clock, engine.execute(ask).response());
    // The primary's breaker opened; one failing model is not the provider's fault, so its sibling serves.
    expect(keys(transport)).toEqual([
      'anthropic/claude-opus-4-6',
      'anthropic/claude-sonnet-4-5',
      'anthropic/claude-sonnet-4-5',
    ]);
    await clock.advanceAsync(5000);
    const r = await settle(clock, engine.execute(ask).response());
    expect(r.content).toEqual([{ type: 'text', text: 'back' }]);
    expect(engine.status()[0]!.breaker).toBe('closed');
  });

  it('an empty retry budget turns retries into fallbacks', async () => {
    const { clock, transport, engine } = setup(
      { 'anthropic/claude-opus-4-6': [{ fail: 'server' }] },
      { retry: { attempts: 3, baseMs: 100, budget: { ratio: 0, minRetriesPerWindow: 0 } } },
    );
    await settle(clock, engine.execute(ask).response());
    expect(keys(transport)).toEqual(['anthropic/claude-opus-4-6', 'anthropic/claude-sonnet-4-5']);
  });

  it('a retry the server paced with retry-after spends no budget: the budget guards our own backoff', async () => {
    const { clock, transport, engine } = setup(
      { 'anthropic/claude-opus-4-6': [{ fail: 'rate_limited', retryAfterMs: 300 }, { text: 'paced' }] },
      {
        routes: { default: ['anthropic/claude-opus-4-6'] },
        retry: { attempts: 2, baseMs: 100, budget: { ratio: 0, minRetriesPerWindow: 0 } },
      },
    );
    const r = await settle(clock, engine.execute(ask).response());
    expect(r.content).toEqual([{ type: 'text', text: 'paced' }]);
    expect(keys(transport)).toEqual(['anthropic/claude-opus-4-6', 'anthropic/claude-opus-4-6']);
  });

  it("a fallback cooling down after another call's 429 is waited for when it comes back before the deadline", async () => {
    const { clock, transport, engine } = setup(
      {
        'anthropic/claude-sonnet-4-5': [
          { fail: 'rate_limited', retryAfterMs: 800 },
          { text: 'after the cooldown' },
        ],
        'anthropic/claude-opus-4-6': [{ fail: 'server' }],
      },
      { retry: 1, routes: { default: ['anthropic/claude-opus-4-6', 'anthropic/claude-sonnet-4-5'] } },
    );
    // Another call meets the 429: sonnet cools down for 800 ms.
    await settle(clock, engine.execute({ ...ask, model: 'anthropic/claude-sonnet-4-5' }).response()).catch(
      () => {},
    );
    const call = engine.execute(ask);
    const r = await settle(clock, call.response());
    expect(r.content).toEqual([{ type: 'text', text: 'after the cooldown' }]);
    expect(keys(transport)).toEqual([
      'anthropic/claude-sonnet-4-5',
      'anthropic/claude-opus-4-6',
      'anthropic/claude-sonnet-4-5',
    ]);
    const trace = await call.trace;
    expect(trace.breakerSkips.map((s) => s.reason)).toEqual(['cooling_down']);
    const last = trace.attempts.at(-1)!;
    expect(last.waitedMs).toBeGreaterThan(700);
    expect(last.waitedMs).toBeLessThanOrEqual(801);
  });

  it('a 429 whose hint outlasts a cooling fallback waits for the fallback, whichever comes back first', async () => {
    const primary = 'anthropic/claude-opus-4-6';
    const fallback = 'anthropic/claude-sonnet-4-5';
    const { clock, transport, engine } = setup(
      {
        [fallback]: [{ fail: 'rate_limited', retryAfterMs: 1000 }, { text: 'from the fallback' }],
        [primary]: [{ fail: 'rate_limited', retryAfterMs: 2000 }],
      },
      // The route prefers the fastest answer: hints are not waited out before falling back.
      {
        retry: { attempts: 3, baseMs: 100, capMs: 1000, hintWaitMs: 0 },
        routes: { default: [primary, fallback] },
      },
    );
    // Another call meets the fallback's 429: it cools down for 1 s (that call's deadline lets it not wait).
    const other = engine.execute({ ...ask, model: fallback }, { timeout: { deadline: 500 } });
    await settle(clock, other.response()).catch(() => {});
    const r = await settle(clock, engine.execute(ask).response());
    expect(r.content).toEqual([{ type: 'text', text: 'from the fallback' }]);
    // The primary's 429 asks 2 s; the fallback is back 1 s after its 429, so the call goes there.
    const [cooled, first, second] = transport.seen;
    expect([first!.key, second!.key]).toEqual([primary, fallback]);
    expect(second!.at - cooled!.at).toBe(1001);
    expect(second!.at - first!.at).toBeLessThan(2000);
  });

  it('hops between rate-limited targets, each time to the one whose cooldown ends first', async () => {
    const primary = 'anthropic/claude-opus-4-6';
    const fallback = 'anthropic/claude-sonnet-4-5';
    const { clock, transport, engine } = setup(
      {
        // Another call's 429 cools the primary 100 ms; this call's fallback then asks 1 s, and
        // the primary, tried again at 100 ms, asks 2 s: the fallback at 1 s answers.
        [primary]: [
          { fail: 'rate_limited', retryAfterMs: 100 },
          { fail: 'rate_limited', retryAfterMs: 2000 },
        ],
        [fallback]: [{ fail: 'rate_limited', retryAfterMs: 1000 }, { text: 'second time lucky' }],
      },
      // The route prefers the fastest answer: hints are not waited out before falling back.
      {
        retry: { attempts: 3, baseMs: 100, capMs: 1000, hintWaitMs: 0 },
        routes: { default: [primary, fallback] },
      },
    );
    const other = engine.execute({ ...ask, model: primary }, { timeout: { deadline: 50 } });
    await settle(clock, other.response()).catch(() => {});
    const r = await settle(clock, engine.execute(ask).response());
    expect(r.content).toEqual([{ type: 'text', text: 'second time lucky' }]);
    const [cooled, ...mine] = transport.seen;
    expect(mine.map((x) => x.key)).toEqual([fallback, primary, fallback]);
    expect(mine[1]!.at - cooled!.at).toBe(101);
    expect(mine[2]!.at - mine[0]!.at).toBe(1001);
  });

  it("a retry after the server's own hint is not held back by a cooldown other calls' 429s extended", async () => {
    const { clock, transport, engine } = setup(
      {
        'anthropic/claude-opus-4-6': [
          { fail: 'rate_limited', retryAfterMs: 500 },
          { fail: 'rate_limited', retryAfterMs: 2000 },
          { text: 'paid for' },
        ],
      },
      { retry: 2 },
    );
    const direct = { ...ask, model: 'anthropic/claude-opus-4-6' };
    const first = engine.execute(direct);
    const second = engine.execute(direct);
    second.response().catch(() => {});
    const r = await settle(clock, first.response());
    expect(r.content).toEqual([{ type: 'text', text: 'paid for' }]);
    const [a, b, c] = transport.seen;
    expect([a!.key, b!.key, c!.key]).toEqual(Array(3).fill('anthropic/claude-opus-4-6'));
    // The first call came back after its own 500 ms, inside the 2 s cooldown the second call's 429 set.
    expect(c!.at - a!.at).toBeGreaterThanOrEqual(500);
    expect(c!.at - a!.at).toBeLessThan(2000);
    await settle(clock, second.trace);
  });

  it('a cooldown longer than the hint cap is not waited for: the call fails at once', async () => {
    const { clock, transport, engine } = setup(
      {
        // Over the 60 s hint cap, though inside the call's 120 s deadline.
        'anthropic/claude-sonnet-4-5': [{ fail: 'rate_limited', retryAfterMs: 90_000 }],
        'anthropic/claude-opus-4-6': [{ fail: 'server' }],
      },
      { retry: 1, routes: { default: ['anthropic/claude-opus-4-6', 'anthropic/claude-sonnet-4-5'] } },
    );
    await settle(clock, engine.execute({ ...ask, model: 'anthropic/claude-sonnet-4-5' }).response()).catch(
      () => {},
    );
    const started = clock.now();
    const e = (await settle(clock, engine.execute(ask).response()).catch((x: unknown) => x)) as OutlastError;
    expect(e.kind).toBe('server');
    expect(clock.now() - started).toBeLessThan(1000);
    expect(keys(transport)).toEqual(['anthropic/claude-sonnet-4-5', 'anthropic/claude-opus-4-6']);
  });

  it('a content-filter refusal stops the call unless the route opts into falling back', async () => {
    const { clock, transport, engine } = setup(
      { 'anthropic/claude-opus-4-6': [{ fail: 'content_filter' }] },
      {},
    );
    const e = (await settle(clock, engine.execute(ask).response()).catch((x: unknown) => x)) as OutlastError;
    expect(e.kind).toBe('content_filter');
    expect(keys(transport)).toHaveLength(1);
    await engine.close();
    const again = setup(
      { 'anthropic/claude-opus-4-6': [{ fail: 'content_filter' }] },
      {
        routes: {
          default: {
            targets: ['anthropic/claude-opus-4-6', 'openai/gpt-4.1'],
            fallbackOnContentFilter: true,
          },
        },
      },
    );
    await settle(again.clock, again.engine.execute(ask).response());
    expect(keys(again.transport)).toEqual(['anthropic/claude-opus-4-6', 'openai/gpt-4.1']);
  });

  it('a connect timeout is retried on the same target first', async () => {
    const { clock, transport, engine } = setup(
      { 'anthropic/claude-opus-4-6': [{ fail: 'timeout', phase: 'connect' }, { text: 'ok' }] },
      {},
    );
    await settle(clock, engine.execute(ask).response());
    expect(keys(transport)).toEqual(['anthropic/claude-opus-4-6', 'anthropic/claude-opus-4-6']);
  });

  it('a backoff that would end past the deadline falls back instead of waiting', async () => {
    const { clock, transport, engine } = setup(
      { 'anthropic/claude-opus-4-6': [{ fail: 'server' }] },
      { retry: { baseMs: 5000, capMs: 5000, jitter: 'none' }, timeout: { deadline: 3000 } },
    );
    await settle(clock, engine.execute(ask).response());
    expect(keys(transport)).toEqual(['anthropic/claude-opus-4-6', 'anthropic/claude-sonnet-4-5']);
  });

  it("the caller's signal cancels a call waiting to retry, with no attempt after it", async () => {
    const { clock, transport, engine } = setup(
      { 'anthropic/claude-opus-4-6': [{ fail: 'server' }] },
      { retry: { baseMs: 10_000, capMs: 10_000, jitter: 'none' } },
    );
    const controller = new AbortController();
    const call = engine.execute(ask, { signal: controller.signal });
    await clock.advanceAsync(100);
    controller.abort();
    const e = (await settle(clock, call.response()).catch((x: unknown) => x)) as OutlastError;
    expect(e.kind).toBe('cancelled');
    expect(e.attempts).toHaveLength(1);
    expect(keys(transport)).toHaveLength(1);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('a first-token timeout on the only target is retried as a last resort', async () => {
    const { clock, transport, engine } = setup(
      { 'anthropic/claude-opus-4-6': [{ fail: 'timeout', phase: 'first_token' }, { text: 'ok' }] },
      { routes: { default: ['anthropic/claude-opus-4-6'] } },
    );
    await settle(clock, engine.execute(ask).response());
    expect(keys(transport)).toEqual(['anthropic/claude-opus-4-6', 'anthropic/claude-opus-4-6']);
  });

  it('resolves a bare model and a provider/model pair without a route', async () => {
    const { clock, transport, engine } = setup({}, {});
    await settle(clock, engine.execute({ ...ask, model: 'gpt-4.1' }).response());
    await settle(clock, engine.execute({ ...ask, model: 'anthropic/claude-haiku-4-5' }).response());
    expect(keys(transport)).toEqual(['openai/gpt-4.1', 'anthropic/claude-haiku-4-5']);
    expect(engine.status().map((s) => s.key)).toContain('anthropic/claude-haiku-4-5');
    expect(engine.models().map((m) => m.id)).toEqual([
      'default',
      'anthropic/claude-opus-4-6',
      'anthropic/claude-sonnet-4-5',
      'openai/gpt-4.1',
    ]);
    const e = (await settle(clock, engine.execute({ ...ask, model: 'mystery' }).response()).catch(
      (x: unknown) => x,
    )) as OutlastError;
    expect(e.kind).toBe('not_found');
  });

  it('a request one format cannot express moves on to the next target instead of failing the call', async () => {
    const clock = createFakeClock();
    const transport = createFakeTransport({}, () => clock.now());
    engine = createEngine(
      {
        providers: { anthropic: { type: 'anthropic' }, openai: { type: 'openai' } },
        routes: { default: ['anthropic/claude-opus-4-6', 'openai/gpt-4.1'] },
      },
      {
        transport,
        clock,
        codecFor: (type) => ({
          ...fakeCodec(type),
          encodeRequest: (request) => {
            if (type === 'anthropic')
              throw new OutlastError({ kind: 'bad_request', message: 'response_format: not expressible' });
            return { path: '/', body: request, headers: {} };
          },
        }),
      },
    );
    const r = await settle(clock, engine.execute(ask).response());
    expect(r.model).toBe('gpt-4.1');
    expect(keys(transport)).toEqual(['openai/gpt-4.1']);
  });
});
