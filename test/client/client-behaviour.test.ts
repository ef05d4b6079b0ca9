/** The library surface: Anthropic shapes and events, traces, events via `on`, logs, cancellation, options. */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type EngineEvent, type OutlastClient, OutlastError } from '../../src/index.ts';
import type { MockProvider } from '../../src/testing/index.ts';
import { attemptsByModel, FAST, providersFor, startMock, TEST_KEYS } from '../engine/support/harness.ts';
import { waitFor } from '../support/wait-for.ts';

let mock: MockProvider;
let client: OutlastClient | undefined;
beforeAll(async () => {
  mock = await startMock();
});
afterEach(async () => {
  await client?.close();
  client = undefined;
  mock.setScenario({});
  mock.reset();
});
afterAll(async () => {
  await mock.close();
});

const route = { default: ['anthropic/claude-sonnet-4-5', 'openai/gpt-4.1', 'gemini/gemini-2.5-flash'] };
const params = {
  model: 'default',
  max_tokens: 60,
  messages: [{ role: 'user', content: 'Tell me about resilience.' }],
};
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('messages', () => {
  it('create returns an Anthropic Message; stream yields its events in order with textStream and finalMessage', async () => {
    client = createClient({ providers: providersFor(mock), routes: route, ...FAST });
    const message = await client.messages.create(params);
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      stop_reason: 'end_turn',
    });
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    const stream = client.messages.stream(params);
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe('message_start');
    expect(types[1]).toBe('content_block_start');
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    const final = await stream.finalMessage();
    expect(final.content).toEqual(message.content);
  });

  it('create with stream: true resolves at the commit point to an iterable of events', async () => {
    client = createClient({ providers: providersFor(mock), routes: route, ...FAST });
    const events = await client.messages.create({ ...params, stream: true });
    let text = '';
    for await (const e of events)
      if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') text += e.delta.text;
    expect(text.length).toBeGreaterThan(10);
    expect((await events.trace).outcome).toBe('success');
  });

  it('withTrace reports every attempt with its facts', async () => {
    mock.setScenario({ models: { 'claude-sonnet-4-5': { faults: ['500'] } } });
    client = createClient({ providers: providersFor(mock), routes: route, ...FAST });
    const { data, trace } = await client.messages.create(params).withTrace();
    expect(data.model).toBe('gpt-4.1');
    expect(trace.answeredBy).toEqual({ provider: 'openai', model: 'gpt-4.1' });
    expect(trace.attempts.map((a) => [a.model, a.outcome, a.errorKind, a.status])).toEqual([
      ['claude-sonnet-4-5', 'error', 'server', 500],
      ['claude-sonnet-4-5', 'error', 'server', 500],
      ['gpt-4.1', 'success', undefined, undefined],
    ]);
    // The first attempt waited for nothing; the retry waited its jittered backoff, within the cap.
    expect(trace.attempts[0]!.waitedMs).toBe(0);
    expect(trace.attempts[1]!.waitedMs).toBeLessThanOrEqual(FAST.retry.capMs);
    // The answering attempt had a first token, no later than its end.
    expect(trace.attempts[2]!.ttftMs).toBeLessThanOrEqual(trace.attempts[2]!.durationMs);
    expect(trace).toMatchObject({ retries: 1, fallbacks: 1, continued: false, outcome: 'success' });
  });
});

describe('events and logs', () => {
  it('`on` hears attempts, retries, fallbacks and the completion', async () => {
    mock.setScenario({ models: { 'claude-sonnet-4-5': { faults: ['500'] } } });
    const events: EngineEvent[] = [];
    client = createClient({
      providers: providersFor(mock),
      routes: route,
      ...FAST,
      on: (e) => events.push(e),
    });
    await client.messages.create(params);
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'attempt_start')).toHaveLength(3);
    expect(types).toContain('retry');
    expect(events.find((e) => e.type === 'fallback')).toMatchObject({
      from: { provider: 'anthropic' },
      to: { provider: 'openai' },
      reason: 'server',
    });
    expect(types.at(-1)).toBe('complete');
  });

  it('the logger gets one JSON line per failed attempt, with no API key anywhere', async () => {
    mock.setScenario({
      models: { 'claude-sonnet-4-5': { faults: ['401'] }, 'gpt-4.1': { faults: ['502'] } },
    });
    const lines: string[] = [];
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk, _e, done) {
          lines.push(...String(chunk).split('\n').filter(Boolean));
          done();
        },
      }),
    );
    client = createClient({ providers: providersFor(mock), routes: route, ...FAST, logger });
    await client.messages.create(params);
    await new Promise((r) => setImmediate(r));
    const failed = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r['event'] === 'attempt_failed');
    expect(failed.map((r) => [r['model'], r['errorKind'], r['status'], r['attempt']])).toEqual([
      ['claude-sonnet-4-5', 'auth', 401, 1],
      ['gpt-4.1', 'server', 502, 2],
      ['gpt-4.1', 'server', 502, 3],
    ]);
    expect(
      failed.every((r) => typeof r['latencyMs'] === 'number' && typeof r['requestId'] === 'string'),
    ).toBe(true);
    const all = lines.join('\n');
    for (const key of Object.values(TEST_KEYS)) expect(all).not.toContain(key);
  });
});

describe('cancellation', () => {
  it("the caller's signal stops a stream mid-answer; the upstream socket closes and no timer is left", async () => {
    mock.setScenario({ models: { 'claude-sonnet-4-5': { tokenMs: 15, answerTokens: 300 } } });
    client = createClient({ providers: providersFor(mock), routes: route, ...FAST });
    const baseline = timers();
    const controller = new AbortController();
    const stream = client.messages.stream({ ...params, max_tokens: 400 }, { signal: controller.signal });
    let deltas = 0;
    const error = await (async () => {
      for await (const e of stream)
        if (e.type === 'content_block_delta' && ++deltas === 3) controller.abort();
    })().catch((e: unknown) => e);
    expect(OutlastError.isInstance(error) && error.kind).toBe('cancelled');
    await waitFor(() => mock.log()[0]?.disconnected === true);
    expect(mock.log()).toHaveLength(1);
    expect(mock.log()[0]!.disconnected).toBe(true);
    await client.close();
    client = undefined;
    expect(timers()).toBeLessThanOrEqual(baseline);
  });

  it('breaking out of a chat stream closes the upstream', async () => {
    mock.setScenario({ models: { 'gpt-4.1': { tokenMs: 15, answerTokens: 300 } } });
    client = createClient({
      providers: providersFor(mock),
      routes: { default: ['openai/gpt-4.1'] },
      ...FAST,
    });
    const baseline = timers();
    const stream = await client.chat.completions.create({ ...params, max_tokens: 400, stream: true });
    let n = 0;
    for await (const _ of stream) if (++n === 4) break;
    expect((await stream.trace).outcome).toBe('cancelled');
    await waitFor(() => mock.log()[0]?.disconnected === true);
    expect(mock.log()[0]!.disconnected).toBe(true);
    expect(attemptsByModel(mock.log())).toEqual({ 'gpt-4.1': 1 });
    await client.close();
    client = undefined;
    expect(timers()).toBeLessThanOrEqual(baseline);
  });

  it('a per-call timeout bounds the whole call', async () => {
    mock.setScenario({ models: { 'claude-sonnet-4-5': { faults: ['hang'] } } });
    client = createClient({
      providers: providersFor(mock),
      routes: { default: ['anthropic/claude-sonnet-4-5'] },
      ...FAST,
    });
    const started = Date.now();
    const error = (await client.messages
      .create(params, { timeout: { headers: 5000, deadline: 300 } })
      .catch((e: unknown) => e)) as OutlastError;
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error.attempts?.length).toBeGreaterThanOrEqual(1);
  });
});

describe('bad input', () => {
  it('fails the same way everywhere: the promise or the stream rejects, nothing throws synchronously', async () => {
    client = createClient({ providers: providersFor(mock), routes: route, ...FAST });
    const noMaxTokens = { model: 'default', messages: params.messages } as unknown as typeof params;
    const created = client.messages.create(noMaxTokens);
    await expect(created).rejects.toMatchObject({ kind: 'bad_request', message: /max_tokens/ });
    await expect(created.withTrace()).rejects.toMatchObject({ kind: 'bad_request' });
    const stream = client.messages.stream(noMaxTokens);
    await expect(stream.finalMessage()).rejects.toMatchObject({ kind: 'bad_request' });
    await expect(stream.trace).rejects.toMatchObject({ kind: 'bad_request' });
    const iterate = async () => {
      for await (const _ of client!.messages.stream(noMaxTokens)) return 'an event';
      return 'no events';
    };
    await expect(iterate()).rejects.toMatchObject({ kind: 'bad_request' });
    const chat = client.chat.completions.create({ model: 'default' } as never);
    await expect(chat).rejects.toMatchObject({ kind: 'bad_request', message: /messages/ });
    expect(mock.log()).toHaveLength(0);
  });

  it('a call on a closed client rejects too', async () => {
    client = createClient({ providers: providersFor(mock), routes: route, ...FAST });
    await client.close();
    await expect(client.messages.create(params)).rejects.toMatchObject({ kind: 'cancelled' });
    await expect(client.messages.stream(params).finalMessage()).rejects.toMatchObject({ kind: 'cancelled' });
  });
});

describe('options', () => {
  it('are validated at construction with messages naming the option and value', () => {
    expect(() => createClient({ providers: providersFor(mock), retry: { attempts: -1 } })).toThrow(
      'retry.attempts: expected a positive integer, got -1',
    );
    expect(() => createClient({ providers: providersFor(mock), timeout: 'soon' as 'quick' })).toThrow(
      /^timeout: /,
    );
    expect(() => createClient({ providers: {} })).toThrow(/providers: expected at least one provider/);
  });
});
