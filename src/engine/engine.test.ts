import { afterEach, describe, expect, it } from 'vitest';
import { OutlastError } from '../errors/index.ts';
import type { FakeClock } from '../policy/index.ts';
import type { CanonicalRequest, StreamPart } from '../wire/canonical/index.ts';
import { settle, setupFakeEngine } from './fixtures/fake-engine.ts';
import type { Behaviour } from './fixtures/fake-upstream.ts';
import type { Engine, EngineOptions } from './index.ts';

const providers = {
  anthropic: { type: 'anthropic' as const, apiKey: 'sk-ant-secret' },
  openai: { type: 'openai' as const },
  gemini: { type: 'gemini' as const },
};
const routes = { default: ['anthropic/claude-sonnet-4-5', 'openai/gpt-4.1', 'gemini/gemini-2.5-flash'] };
const ask = (text = 'hello'): CanonicalRequest => ({
  model: 'default',
  maxTokens: 1000,
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
});

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

function setup(scripts: Record<string, Behaviour[]>, options: Partial<EngineOptions> = {}) {
  const made = setupFakeEngine(scripts, {
    providers,
    routes,
    retry: { baseMs: 100, capMs: 1000 },
    ...options,
  });
  engine = made.engine;
  return made;
}

describe('engine: before the commit point', () => {
  it('answers from the primary and reports who answered', async () => {
    const { clock, transport, engine } = setup({});
    const call = engine.execute(ask());
    const response = await settle(clock, call.response());
    expect(response.content).toEqual([{ type: 'text', text: 'answer from anthropic/claude-sonnet-4-5' }]);
    expect(response.model).toBe('claude-sonnet-4-5');
    const trace = await call.trace;
    expect(trace).toMatchObject({ outcome: 'success', answeredBy: { provider: 'anthropic' }, retries: 0 });
    expect(transport.seen.map((s) => s.key)).toEqual(['anthropic/claude-sonnet-4-5']);
  });

  it('falls back from a 529 at once, retries a 500 with backoff, across formats', async () => {
    const { clock, transport, engine, events } = setup({
      'anthropic/claude-sonnet-4-5': [{ fail: 'overloaded' }],
      'openai/gpt-4.1': [{ fail: 'server' }],
    });
    const call = engine.execute(ask());
    const response = await settle(clock, call.response());
    expect(response.model).toBe('gemini-2.5-flash');
    expect(transport.seen.map((s) => s.key)).toEqual([
      'anthropic/claude-sonnet-4-5',
      'openai/gpt-4.1',
      'openai/gpt-4.1',
      'gemini/gemini-2.5-flash',
    ]);
    // An overloaded target is not asked again while a ready one waits further down the route.
    expect(transport.seen[1]!.at - transport.seen[0]!.at).toBe(0);
    // Equal jitter at random 0.5 on a 100 ms base: 50 + 25 ms between the two attempts after the 500.
    expect(transport.seen[2]!.at - transport.seen[1]!.at).toBe(75);
    const trace = await call.trace;
    expect(trace).toMatchObject({ retries: 1, fallbacks: 2 });
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(1);
  });

  it('retries an overloaded target with backoff when nothing else is ready, and last when the others failed', async () => {
    const single = setup(
      { 'anthropic/claude-sonnet-4-5': [{ fail: 'overloaded' }, { fail: 'overloaded' }, { text: 'ok' }] },
      {
        routes: { default: ['anthropic/claude-sonnet-4-5'] },
        retry: { attempts: 3, baseMs: 100, capMs: 1000 },
      },
    );
    await settle(single.clock, single.engine.execute(ask()).response());
    const t0 = single.transport.seen[0]!.at;
    // Equal jitter at random 0.5: 75 ms on the 100 ms base, then 150 ms on the doubled one.
    expect(single.transport.seen.map((s) => s.at - t0)).toEqual([0, 75, 225]);
    await single.engine.close();

    const { clock, transport, engine } = setup({
      'anthropic/claude-sonnet-4-5': [{ fail: 'overloaded' }, { text: 'ok' }],
      'openai/gpt-4.1': [{ fail: 'auth' }],
      'gemini/gemini-2.5-flash': [{ fail: 'not_found' }],
    });
    const response = await settle(clock, engine.execute(ask()).response());
    expect(response.model).toBe('claude-sonnet-4-5');
    expect(transport.seen.map((s) => s.key)).toEqual([
      'anthropic/claude-sonnet-4-5',
      'openai/gpt-4.1',
      'gemini/gemini-2.5-flash',
      'anthropic/claude-sonnet-4-5',
    ]);
  });

  it('fails with the primary real failure, every attempt attached, and a message telling the story', async () => {
    const { clock, engine } = setup({
      'anthropic/claude-sonnet-4-5': [{ fail: 'overloaded' }],
      'openai/gpt-4.1': [{ fail: 'server' }],
      'gemini/gemini-2.5-flash': [{ fail: 'auth' }],
    });
    const call = engine.execute(ask());
    const error = await settle(clock, call.response()).catch((e: unknown) => e);
    expect(OutlastError.isInstance(error)).toBe(true);
    const e = error as OutlastError;
    expect(e.kind).toBe('overloaded');
    expect(e.attempts).toHaveLength(5);
    expect(e.message).toMatch(
      /^upstream anthropic\/claude-sonnet-4-5 answered 529 after 2 attempts \(.+\); fell back to openai\/gpt-4\.1: 500; fell back to gemini\/gemini-2\.5-flash: 401$/,
    );
    await expect(call.committed).rejects.toBe(e);
  });

  it('never retries a bad request nor falls back from it', async () => {
    const { clock, transport, engine } = setup({ 'anthropic/claude-sonnet-4-5': [{ fail: 'bad_request' }] });
    const e = (await settle(clock, engine.execute(ask()).response()).catch(
      (x: unknown) => x,
    )) as OutlastError;
    expect(e.kind).toBe('bad_request');
    expect(transport.seen).toHaveLength(1);
  });

  it('moves on at once after auth, not_found and context_length, without retrying', async () => {
    for (const fail of ['auth', 'not_found', 'context_length'] as const) {
      const { clock, transport, engine } = setup({ 'anthropic/claude-sonnet-4-5': [{ fail }] });
      await settle(clock, engine.execute(ask()).response());
      expect(transport.seen.map((s) => s.key)).toEqual(['anthropic/claude-sonnet-4-5', 'openai/gpt-4.1']);
      await engine.close();
    }
  });

  it('on a 429 with a short hint waits it out on the chosen target, while other calls fall back', async () => {
    const { clock, transport, engine, events } = setup({
      'anthropic/claude-sonnet-4-5': [{ fail: 'rate_limited', retryAfterMs: 700 }, { text: 'ok' }],
    });
    const first = engine.execute(ask());
    await clock.advanceAsync(0);
    // Meanwhile another call keeps off the cooling target.
    const second = engine.execute(ask());
    const [a, b] = await settle(clock, Promise.all([first.response(), second.response()]));
    const t0 = transport.seen[0]!.at;
    expect(transport.seen.map((s) => [s.key, s.at - t0])).toEqual([
      ['anthropic/claude-sonnet-4-5', 0],
      ['openai/gpt-4.1', 0],
      ['anthropic/claude-sonnet-4-5', 700],
    ]);
    expect([a.model, b.model]).toEqual(['claude-sonnet-4-5', 'gpt-4.1']);
    expect(events.some((e) => e.type === 'cooldown' && e.key === 'anthropic/claude-sonnet-4-5')).toBe(true);
  });

  it('on a 429 with a hint past the short wait cools the target for every call and falls back at once', async () => {
    const { clock, transport, engine, events } = setup(
      { 'anthropic/claude-sonnet-4-5': [{ fail: 'rate_limited', retryAfterMs: 700 }, { text: 'ok' }] },
      { retry: { baseMs: 100, capMs: 1000, hintWaitMs: 500 } },
    );
    const first = engine.execute(ask());
    await clock.advanceAsync(0);
    // Meanwhile another call keeps off the cooling target.
    const second = engine.execute(ask());
    await settle(clock, Promise.all([first.response(), second.response()]));
    const t0 = transport.seen[0]!.at;
    expect(transport.seen.map((s) => [s.key, s.at - t0])).toEqual([
      ['anthropic/claude-sonnet-4-5', 0],
      ['openai/gpt-4.1', 0],
      ['openai/gpt-4.1', 0],
    ]);
    expect(events.some((e) => e.type === 'cooldown' && e.key === 'anthropic/claude-sonnet-4-5')).toBe(true);
  });

  it('honours a rate-limit hint that fits the deadline when nothing else is ready', async () => {
    const { clock, transport, engine } = setup(
      { 'anthropic/claude-sonnet-4-5': [{ fail: 'rate_limited', retryAfterMs: 700 }, { text: 'ok' }] },
      { routes: { default: ['anthropic/claude-sonnet-4-5'] } },
    );
    const response = await settle(clock, engine.execute(ask()).response());
    expect(response.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(transport.seen.map((s) => s.at - transport.seen[0]!.at)).toEqual([0, 700]);
  });

  it('after a cooldown one call goes first; rate-limited again, the calls waiting with it wait on, not go together', async () => {
    const key = 'anthropic/claude-sonnet-4-5';
    const { clock, transport, engine } = setup(
      {
        [key]: [
          { fail: 'rate_limited', retryAfterMs: 700 },
          { fail: 'rate_limited', retryAfterMs: 700 },
          { text: 'ok' },
        ],
      },
      { routes: { default: [key] }, retry: { attempts: 4, baseMs: 100, capMs: 1000 } },
    );
    const first = engine.execute(ask());
    await clock.advanceAsync(0);
    const others = [engine.execute(ask()), engine.execute(ask())];
    const answers = await settle(clock, Promise.all([first, ...others].map((c) => c.response())));
    expect(answers.map((a) => a.content)).toEqual([0, 1, 2].map(() => [{ type: 'text', text: 'ok' }]));
    const t0 = transport.seen[0]!.at;
    // At 700 the first call, back after its own hint, finds the limit again (cooldown to 1400);
    // the two that waited for the cooldown make no attempt at 701 but wait for the new one.
    expect(transport.seen.map((s) => s.at - t0)).toEqual([0, 700, 1400, 1401, 1401]);
  });

  it('after a cooldown the calls that waited go when the limit has passed, not later', async () => {
    const key = 'anthropic/claude-sonnet-4-5';
    const { clock, transport, engine } = setup(
      { [key]: [{ fail: 'rate_limited', retryAfterMs: 700 }, { text: 'ok' }] },
      { routes: { default: [key] } },
    );
    const first = engine.execute(ask());
    await clock.advanceAsync(0);
    const second = engine.execute(ask());
    await settle(clock, Promise.all([first.response(), second.response()]));
    const t0 = transport.seen[0]!.at;
    expect(transport.seen.map((s) => s.at - t0)).toEqual([0, 700, 701]);
  });

  it('a call back for a target waits for the verdict of the first attempt after its cooldown, still in flight', async () => {
    const key = 'anthropic/claude-sonnet-4-5';
    const { clock, transport, engine } = setup(
      { [key]: [{ fail: 'rate_limited', retryAfterMs: 700 }, { hang: true }, { text: 'ok' }] },
      { routes: { default: [key] }, timeout: { total: 300, deadline: 60_000 } },
    );
    const first = engine.execute(ask());
    await clock.advanceAsync(0);
    const second = engine.execute(ask());
    const answer = await settle(clock, second.response());
    await settle(
      clock,
      first.response().catch(() => undefined),
    );
    expect(answer.content).toEqual([{ type: 'text', text: 'ok' }]);
    const t0 = transport.seen[0]!.at;
    // The first call is back at 700 and its attempt hangs; the second, back at 701, does not go
    // alongside it but when that attempt has given its verdict (a timeout at 1000: not a limit).
    expect(transport.seen.slice(0, 3).map((s) => s.at - t0)).toEqual([0, 700, 1000]);
  });

  it('a call that meets the first call after a cooldown in flight falls back instead of waiting', async () => {
    const key = 'anthropic/claude-sonnet-4-5';
    const { clock, transport, engine } = setup(
      {
        [key]: [{ fail: 'rate_limited', retryAfterMs: 700 }, { hang: true }],
      },
      { timeout: { total: 5000, deadline: 60_000 }, retry: { baseMs: 100, capMs: 1000, hintWaitMs: 0 } },
    );
    await settle(clock, engine.execute(ask()).response());
    clock.advance(800);
    // The cooldown has passed: this call's attempt paces the target (and hangs).
    const pacing = engine.execute(ask());
    await clock.advanceAsync(0);
    const pacedAt = clock.now();
    const seenBefore = transport.seen.length;
    const answer = await settle(clock, engine.execute(ask()).response());
    expect(answer.content).toEqual([{ type: 'text', text: 'answer from openai/gpt-4.1' }]);
    // No attempt alongside the one in flight: straight to the fallback, at once.
    expect(transport.seen.slice(seenBefore - 1).map((s) => [s.key, s.at - pacedAt])).toEqual([
      [key, 0],
      ['openai/gpt-4.1', 0],
    ]);
    pacing.cancel();
    await settle(
      clock,
      pacing.response().catch(() => undefined),
    );
  });

  it('falls back at once when the hint runs past the deadline', async () => {
    const { clock, transport, engine } = setup(
      { 'anthropic/claude-sonnet-4-5': [{ fail: 'rate_limited', retryAfterMs: 50_000 }] },
      { timeout: { deadline: 10_000 } },
    );
    await settle(clock, engine.execute(ask()).response());
    expect(transport.seen.map((s) => s.key)).toEqual(['anthropic/claude-sonnet-4-5', 'openai/gpt-4.1']);
    expect(engine.status()[0]!.cooldownUntil).toBe(transport.seen[0]!.at + 50_000);
    // The next call skips the cooling target without an attempt.
    await settle(clock, engine.execute(ask()).response());
    expect(transport.seen.map((s) => s.key).slice(2)).toEqual(['openai/gpt-4.1']);
  });

  it('every target cooling for longer than the cooldown wait: the call ends at once, rate_limited, with the time to retry', async () => {
    const { clock, transport, engine } = setup(
      { 'anthropic/claude-sonnet-4-5': [{ fail: 'rate_limited', retryAfterMs: 30_000 }, { text: 'later' }] },
      { routes: { default: ['anthropic/claude-sonnet-4-5'] }, timeout: { deadline: 60_000 } },
    );
    const first = await settle(clock, engine.execute(ask()).response()).catch(
      (e: unknown) => e as OutlastError,
    );
    expect(first).toMatchObject({ kind: 'rate_limited' });
    const startedAt = clock.now();
    const second = await settle(clock, engine.execute(ask()).response()).catch(
      (e: unknown) => e as OutlastError,
    );
    expect(clock.now() - startedAt).toBeLessThan(100);
    expect(transport.seen).toHaveLength(1);
    expect(second).toMatchObject({ kind: 'rate_limited', code: 'OUTLAST_ALL_TARGETS_COOLING' });
    expect((second as OutlastError).retryAfterMs).toBeGreaterThan(29_000);
    expect((second as OutlastError).message).toMatch(
      /cooling after rate limits.*anthropic\/claude-sonnet-4-5/,
    );
  });

  it('every target cooling, the soonest within the cooldown wait: the call waits for it and answers', async () => {
    const { clock, transport, engine } = setup(
      { 'anthropic/claude-sonnet-4-5': [{ fail: 'rate_limited', retryAfterMs: 8000 }, { text: 'later' }] },
      { routes: { default: ['anthropic/claude-sonnet-4-5'] }, timeout: { deadline: 60_000 } },
    );
    const r = await settle(clock, engine.execute(ask()).response());
    expect(r.content).toEqual([{ type: 'text', text: 'later' }]);
    expect(transport.seen[1]!.at - transport.seen[0]!.at).toBeGreaterThanOrEqual(8000);
  });

  it('moves a silent target (first-token timeout) behind the others, retrying it only last', async () => {
    const { clock, transport, engine } = setup(
      {
        'anthropic/claude-sonnet-4-5': [{ fail: 'timeout', phase: 'first_token' }, { text: 'late' }],
        'openai/gpt-4.1': [{ fail: 'auth' }],
        'gemini/gemini-2.5-flash': [{ fail: 'not_found' }],
      },
      {},
    );
    const r = await settle(clock, engine.execute(ask()).response());
    expect(r.content).toEqual([{ type: 'text', text: 'late' }]);
    expect(transport.seen.map((s) => s.key)).toEqual([
      'anthropic/claude-sonnet-4-5',
      'openai/gpt-4.1',
      'gemini/gemini-2.5-flash',
      'anthropic/claude-sonnet-4-5',
    ]);
  });

  it('skips a target whose context window is too small for the prompt', async () => {
    const { clock, transport, engine } = setup(
      {},
      { models: { 'claude-sonnet-4-5': { contextWindow: 100 } } },
    );
    const call = engine.execute(ask('x'.repeat(2000)));
    await settle(clock, call.response());
    expect(transport.seen.map((s) => s.key)).toEqual(['openai/gpt-4.1']);
    expect((await call.trace).breakerSkips).toEqual([
      { provider: 'anthropic', model: 'claude-sonnet-4-5', reason: 'context_window' },
    ]);
  });

  it('opens breakers on repeated failures, skips the target, and tries each (the longest-failed first) when all are open', async () => {
    const { clock, transport, engine } = setup(
      {
        'anthropic/claude-sonnet-4-5': [{ fail: 'server' }],
        'openai/gpt-4.1': [{ fail: 'server' }],
        'gemini/gemini-2.5-flash': [{ fail: 'server' }],
      },
      {
        retry: 1,
        breaker: { consecutiveFailures: 1, minimumSpanMs: 0, cooldownMs: 60_000, maxCooldownMs: 120_000 },
      },
    );
    await settle(clock, engine.execute(ask()).response()).catch(() => {});
    expect(transport.seen).toHaveLength(3);
    expect(engine.status().map((s) => s.breaker)).toEqual(['open', 'open', 'open']);
    const call = engine.execute(ask());
    await settle(clock, call.response()).catch(() => {});
    // A real attempt on each, the target that failed longest ago first, rather than none.
    expect(transport.seen.map((s) => s.key).slice(3)).toEqual([
      'anthropic/claude-sonnet-4-5',
      'openai/gpt-4.1',
      'gemini/gemini-2.5-flash',
    ]);
    expect((await call.trace).breakerSkips.length).toBeGreaterThanOrEqual(3);
  });
});

describe('engine: after the commit point', () => {
  const collect = async (clock: FakeClock, call: AsyncIterable<StreamPart>) => {
    const parts: StreamPart[] = [];
    await settle(
      clock,
      (async () => {
        for await (const p of call) parts.push(p);
      })(),
    );
    return parts;
  };

  it('continues a cut stream with a prefill on the same target and stitches one stream', async () => {
    const { clock, transport, engine } = setup({
      'anthropic/claude-sonnet-4-5': [
        { text: 'The quick brown fox ', cutAfter: 4 },
        { text: 'jumps over the dog.' },
      ],
    });
    const call = engine.execute(ask());
    const parts = await collect(clock, call);
    const text = parts.flatMap((p) =>
      p.type === 'block_delta' && p.delta.type === 'text' ? [p.delta.text] : [],
    );
    expect(text.join('')).toBe('The quick jumps over the dog.');
    expect(parts.filter((p) => p.type === 'block_start')).toHaveLength(1);
    expect(parts.filter((p) => p.type === 'message_start')).toHaveLength(1);
    expect(parts.at(-1)).toEqual({ type: 'message_stop' });
    const second = transport.seen[1]!.request;
    expect(second.messages.at(-1)).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: 'The quick' }],
    });
    // The call's whole max_tokens: a model that restarts its answer must still reach its end.
    expect(second.maxTokens).toBe(1000);
    expect((await call.trace).continued).toBe(true);
  });

  it('learns a prefill rejection, retries without it, and drops the overlap', async () => {
    const { clock, transport, engine } = setup({
      'anthropic/claude-sonnet-4-5': [
        { text: 'The quick brown fox ', cutAfter: 4 },
        { fail: 'bad_request', message: 'This model does not support assistant message prefill.' },
        { text: 'The quick brown fox jumps.' },
      ],
    });
    const call = engine.execute(ask());
    const parts = await collect(clock, call);
    const text = parts.flatMap((p) =>
      p.type === 'block_delta' && p.delta.type === 'text' ? [p.delta.text] : [],
    );
    expect(text.join('')).toBe('The quick brown fox jumps.');
    expect(transport.seen[2]!.request.messages.at(-1)?.role).toBe('user');
    expect(engine.status()[0]!.acceptsPrefill).toBe(false);
  });

  it('salvage ends with what arrived, marked truncated', async () => {
    const { clock, engine } = setup(
      { 'anthropic/claude-sonnet-4-5': [{ text: 'The quick brown fox ', cutAfter: 3 }] },
      { stream: 'salvage' },
    );
    const call = engine.execute(ask());
    const parts = await collect(clock, call);
    expect(parts.slice(-3)).toMatchObject([
      { type: 'block_stop', index: 0 },
      { type: 'message_delta', stopReason: 'max_tokens' },
      { type: 'message_stop', truncated: true },
    ]);
    expect((await call.trace).outcome).toBe('salvaged');
  });

  it("'error' mode throws the interruption from the iteration", async () => {
    const { clock, engine } = setup(
      { 'anthropic/claude-sonnet-4-5': [{ text: 'The quick brown fox ', cutAfter: 3 }] },
      { stream: 'error' },
    );
    const call = engine.execute(ask());
    const error = await collect(clock, call).catch((e: unknown) => e);
    expect((error as OutlastError).kind).toBe('stream_interrupted');
    expect((error as OutlastError).message).toMatch(/broke off mid-answer/);
    await expect(call.committed).resolves.toMatchObject({ provider: 'anthropic' });
  });

  it('cancel() aborts a hanging upstream and ends the call as cancelled', async () => {
    const { clock, transport, engine } = setup({ 'anthropic/claude-sonnet-4-5': [{ hang: true }] });
    const call = engine.execute(ask());
    await clock.advanceAsync(10);
    expect(transport.open).toBe(1);
    call.cancel();
    const error = await settle(clock, call.response()).catch((e: unknown) => e);
    expect((error as OutlastError).kind).toBe('cancelled');
    expect(transport.open).toBe(0);
    expect((await call.trace).outcome).toBe('cancelled');
    expect(transport.seen).toHaveLength(1);
  });
});
