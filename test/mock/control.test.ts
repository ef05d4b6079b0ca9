import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock, type MockProvider, startMockProvider } from '../../src/testing/index.ts';

const open: MockProvider[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});
const start = async (...args: Parameters<typeof startMockProvider>) => {
  const mock = await startMockProvider(...args);
  open.push(mock);
  return mock;
};

const chat = (model = 'm', extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }], ...extra });

async function post(mock: MockProvider, path: string, body: string, headers: Record<string, string> = {}) {
  const res = await request(`${mock.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

async function get(mock: MockProvider, path: string) {
  const res = await request(`${mock.url}${path}`);
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
}

describe('bad input', () => {
  it('answers invalid JSON and missing fields with the provider’s own 400, and keeps serving', async () => {
    const mock = await start();
    const broken = await post(mock, '/v1/chat/completions', '{"model": "m", "messages": [');
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.text).error).toMatchObject({ type: 'invalid_request_error' });
    const missing = await post(mock, '/v1/chat/completions', JSON.stringify({ model: 'm' }));
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.text).error.message).toMatch(/messages/);
    const gemini = await post(mock, '/v1beta/models/g:generateContent', JSON.stringify({ contents: 'nope' }));
    expect(gemini.status).toBe(400);
    expect(JSON.parse(gemini.text).error.status).toBe('INVALID_ARGUMENT');
    const badFault = await post(mock, '/v1/chat/completions', chat(), { 'x-mock-fault': 'teapot' });
    expect(badFault.status).toBe(400);
    expect(JSON.parse(badFault.text).error.message).toMatch(/unknown fault "teapot"/);
    expect((await post(mock, '/v1/chat/completions', chat())).status).toBe(200);
    expect(mock.log().map((e) => e.status)).toEqual([400, 400, 400, 400, 200]);
    expect(mock.log()[0]!.error).toMatch(/invalid JSON/);
  });

  it('answers unknown paths with 404', async () => {
    const mock = await start();
    expect((await post(mock, '/v2/whatever', '{}')).status).toBe(404);
  });
});

describe('control endpoints', () => {
  it('reports health, serves the log, resets it', async () => {
    const mock = await start({ scenario: 'healthy' });
    await post(mock, '/v1/chat/completions', chat('a'));
    await post(mock, '/v1/chat/completions', chat('a', { stream: true }));
    await post(mock, '/v1/chat/completions', chat('b'), { 'x-mock-fault': '529' });
    expect((await get(mock, '/_mock/health')).json).toMatchObject({
      status: 'ok',
      scenario: 'healthy',
      requests: 3,
    });
    const log = (await get(mock, '/_mock/log')).json.entries as Array<Record<string, unknown>>;
    expect(log.map((e) => [e.model, e.attempt, e.stream, e.status, e.fault ?? null])).toEqual([
      ['a', 1, false, 200, null],
      ['a', 2, true, 200, null],
      ['b', 1, false, 529, '529'],
    ]);
    expect(log[0]).toMatchObject({ format: 'openai', disconnected: false });
    expect(log[0]?.faultSource).toBeUndefined();
    expect(log[2]).toMatchObject({ faultSource: 'header' });
    expect((await post(mock, '/_mock/reset', '')).status).toBe(200);
    expect((await get(mock, '/_mock/log')).json.entries).toEqual([]);
    await post(mock, '/v1/chat/completions', chat('a'));
    expect(mock.log()[0]).toMatchObject({ seq: 1, attempt: 1 });
  });

  it('swaps the scenario live, and refuses an invalid one with the problem named', async () => {
    const mock = await start();
    const ok = await post(
      mock,
      '/_mock/scenario',
      JSON.stringify({ name: 'down', models: { m: { faults: ['503'] } } }),
    );
    expect(ok.status).toBe(200);
    expect((await post(mock, '/v1/chat/completions', chat())).status).toBe(503);
    const bad = await post(
      mock,
      '/_mock/scenario',
      JSON.stringify({ models: { m: { faults: [{ fault: '503', probability: 3 }] } } }),
    );
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error.message).toMatch(/models\.m\.faults\[0\]\.probability: Too big/);
    expect((await post(mock, '/v1/chat/completions', chat())).status).toBe(503);
    const yaml = await post(mock, '/_mock/scenario', 'name: calm\n', { 'content-type': 'application/yaml' });
    expect(yaml.status).toBe(200);
    expect((await post(mock, '/v1/chat/completions', chat())).status).toBe(200);
    expect((await post(mock, '/_mock/scenario', JSON.stringify('flaky'))).status).toBe(200);
    expect(mock.scenario().name).toBe('flaky');
  });

  it('lists the scenario’s models in the OpenAI shape', async () => {
    const mock = await start({ models: { 'gpt-a': {}, 'claude-*': {} } });
    expect((await get(mock, '/v1/models')).json).toEqual({
      object: 'list',
      data: [{ id: 'gpt-a', object: 'model', created: 1_700_000_000, owned_by: 'outlast-mock' }],
    });
  });

  it('answers 404 for models a strict scenario does not name', async () => {
    const mock = await start({ scenario: { strictModels: true, models: { known: {} } } });
    expect((await post(mock, '/v1/chat/completions', chat('known'))).status).toBe(200);
    const res = await post(mock, '/v1/chat/completions', chat('unknown'));
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text).error.code).toBe('model_not_found');
  });
});

describe('reproducible scenarios', () => {
  const flakySequence = async (seed: number) => {
    const mock = await start({ scenario: 'flaky', seed, models: { '*': { firstTokenMs: 0, tokenMs: 0 } } });
    for (let i = 0; i < 60; i++) {
      const model = i % 3 === 0 ? 'm1' : 'm2';
      try {
        await post(mock, '/v1/chat/completions', chat(model, { stream: true }));
      } catch {
        // resets and cuts surface as socket errors: the log holds what happened
      }
    }
    return mock.log().map((e) => `${e.model}#${e.attempt}:${e.fault ?? 'ok'}`);
  };

  it('replays the same faults for the same seed, and others for another seed', async () => {
    const a = await flakySequence(7);
    const b = await flakySequence(7);
    const c = await flakySequence(8);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.some((e) => !e.endsWith(':ok'))).toBe(true);
  });

  it('turns a time window on and off with the scenario clock, from start or reset', async () => {
    const clock = createFakeClock(0);
    const mock = await start({
      clock,
      scenario: { models: { 'model-b': { faults: [{ fault: '529', from: '10s', to: '70s' }] } } },
    });
    const status = async () => (await post(mock, '/v1/chat/completions', chat('model-b'))).status;
    expect(await status()).toBe(200);
    clock.advance(10_000);
    expect(await status()).toBe(529);
    clock.advance(60_000);
    expect(await status()).toBe(200);
    mock.reset();
    clock.advance(30_000);
    expect(await status()).toBe(529);
    expect(mock.log()[0]).toMatchObject({ elapsedMs: 30_000, rule: 'models.model-b.faults[0]' });
  });

  it('fails the first N attempts then answers', async () => {
    const mock = await start({ models: { m: { faults: [{ fault: '529', times: 2 }] } } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(mock, '/v1/chat/completions', chat())).status);
    expect(statuses).toEqual([529, 529, 200, 200]);
  });
});
