/**
 * The mock's per-model token bucket over real sockets. Time is a fake clock handed to the
 * mock (the clock of its windows and of the bucket), so nothing here waits for real time.
 */
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createFakeClock,
  type MockProvider,
  type MockProviderOptions,
  type ModelConfigInput,
  parseScenario,
  ScenarioError,
  startMockProvider,
} from '../../src/testing/index.ts';

const open: MockProvider[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

async function start(options: MockProviderOptions) {
  const mock = await startMockProvider(options);
  open.push(mock);
  return mock;
}

/** A mock whose model `m` holds `capacity` requests and refills `refillPerSecond`, on a fake clock at 0. */
type RateLimitInput = NonNullable<ModelConfigInput['rateLimit']>;

async function limited(rateLimit: RateLimitInput, extra: ModelConfigInput = {}) {
  const clock = createFakeClock(0);
  const mock = await start({ clock, scenario: { models: { m: { rateLimit, ...extra } } } });
  return { clock, mock };
}

type Format = 'anthropic' | 'openai' | 'gemini';
const ENDPOINTS: Record<Format, { path: (model: string) => string; body: (model: string) => unknown }> = {
  anthropic: {
    path: () => '/v1/messages',
    body: (model) => ({ model, max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] }),
  },
  openai: {
    path: () => '/v1/chat/completions',
    body: (model) => ({ model, messages: [{ role: 'user', content: 'hello' }] }),
  },
  gemini: {
    path: (model) => `/v1beta/models/${model}:generateContent`,
    body: () => ({ contents: [{ role: 'user', parts: [{ text: 'hello' }] }] }),
  },
};

async function send(
  mock: MockProvider,
  format: Format = 'openai',
  model = 'm',
  headers: Record<string, string> = {},
) {
  const endpoint = ENDPOINTS[format];
  const res = await request(`${mock.url}${endpoint.path(model)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(endpoint.body(model)),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

const burst = (mock: MockProvider, n: number, format: Format = 'openai', model = 'm') =>
  Promise.all(Array.from({ length: n }, () => send(mock, format, model)));

const statuses = (answers: Array<{ status: number }>) => answers.map((a) => a.status).sort();

describe('rate limiter', () => {
  it('serves a burst of N, refuses the next with retry-after until the refill, then serves again', async () => {
    const { clock, mock } = await limited({ capacity: 4, refillPerSecond: 0.5 });
    const first = await burst(mock, 5);
    expect(statuses(first)).toEqual([200, 200, 200, 200, 429]);
    const refused = first.find((a) => a.status === 429)!;
    // 0.5 tokens a second: the next whole token is 2 s away.
    expect(refused.headers['retry-after']).toBe('2');
    expect(refused.headers['retry-after-ms']).toBeUndefined();
    expect(refused.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(refused.headers['x-ratelimit-limit-requests']).toBe('4');
    expect(refused.headers['x-ratelimit-reset-requests']).toBe('8s');
    expect(JSON.parse(refused.text).error).toMatchObject({
      type: 'requests',
      code: 'rate_limit_exceeded',
      message: expect.stringContaining('Please try again in 2s'),
    });
    // The served answers say how many requests were left after each.
    const remaining = first
      .filter((a) => a.status === 200)
      .map((a) => a.headers['x-ratelimit-remaining-requests'])
      .sort();
    expect(remaining).toEqual(['0', '1', '2', '3']);

    // Just before the token arrives: still refused, and the wait has shrunk.
    clock.advance(1999);
    const early = await send(mock);
    expect(early.status).toBe(429);
    expect(early.headers['retry-after']).toBe('1');
    clock.advance(1);
    expect((await send(mock)).status).toBe(200);
    expect((await send(mock)).status).toBe(429);
  });

  it('rounds retry-after up to whole seconds, and sends the exact wait in retry-after-ms when asked', async () => {
    const { mock } = await limited({ capacity: 1, refillPerSecond: 8, retryAfterMs: true });
    const [a, b] = await burst(mock, 2);
    expect(statuses([a!, b!])).toEqual([200, 429]);
    const refused = a!.status === 429 ? a! : b!;
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['retry-after-ms']).toBe('125');
  });

  it('logs a refused request as limited, counts it as an attempt, and takes no token for it', async () => {
    const { clock, mock } = await limited({ capacity: 2, refillPerSecond: 1 });
    await burst(mock, 4);
    clock.advance(1000);
    expect((await send(mock)).status).toBe(200);
    const log = mock.log();
    expect(log.map((e) => e.attempt)).toEqual([1, 2, 3, 4, 5]);
    const refused = log.filter((e) => e.status === 429);
    expect(refused).toHaveLength(2);
    for (const entry of refused) {
      expect(entry).toMatchObject({
        model: 'm',
        fault: '429 retry-after=1',
        faultSource: 'limiter',
        rule: 'models.m.rateLimit',
      });
    }
    expect(log.filter((e) => e.status === 200).every((e) => e.faultSource === undefined)).toBe(true);
  });

  it('refills on reset, and on a new scenario', async () => {
    const { mock } = await limited({ capacity: 2, refillPerSecond: 0.1 });
    expect(statuses(await burst(mock, 3))).toEqual([200, 200, 429]);
    mock.reset();
    expect(statuses(await burst(mock, 3))).toEqual([200, 200, 429]);
    const res = await request(`${mock.url}/_mock/reset`, { method: 'POST' });
    await res.body.text();
    expect(statuses(await burst(mock, 3))).toEqual([200, 200, 429]);
    mock.setScenario({ models: { m: { rateLimit: { capacity: 1, refillPerSecond: 0.1 } } } });
    expect(statuses(await burst(mock, 2))).toEqual([200, 429]);
  });

  it('keeps one bucket per model name, patterns included', async () => {
    const clock = createFakeClock(0);
    const mock = await start({
      clock,
      scenario: {
        defaults: { rateLimit: { capacity: 1, refillPerSecond: 1 } },
        models: { 'claude*': { rateLimit: { capacity: 2, refillPerSecond: 1 } } },
      },
    });
    expect(statuses(await burst(mock, 3, 'anthropic', 'claude-a'))).toEqual([200, 200, 429]);
    expect(statuses(await burst(mock, 3, 'anthropic', 'claude-b'))).toEqual([200, 200, 429]);
    expect(statuses(await burst(mock, 2, 'openai', 'gpt'))).toEqual([200, 429]);
    const rules = mock
      .log()
      .filter((e) => e.status === 429)
      .map((e) => e.rule);
    expect(rules).toEqual(['models.claude*.rateLimit', 'models.claude*.rateLimit', 'defaults.rateLimit']);
  });

  it('answers before any fault: a served request takes a token even when a fault then fails it', async () => {
    const { mock } = await limited({ capacity: 2, refillPerSecond: 0.5 }, { faults: ['529'] });
    const answers = await burst(mock, 3);
    expect(statuses(answers)).toEqual([429, 529, 529]);
    // The fault's answer carries the limiter's headers too.
    const overloaded = answers.find((a) => a.status === 529)!;
    expect(overloaded.headers['x-ratelimit-limit-requests']).toBe('2');
    // A header fault is drawn only for requests the limiter lets through.
    const header = await send(mock, 'openai', 'm', { 'x-mock-fault': '500' });
    expect(header.status).toBe(429);
    expect(mock.log().map((e) => e.faultSource)).toEqual(
      expect.arrayContaining(['scenario', 'scenario', 'limiter', 'limiter']),
    );
  });

  it('sends the rate-limit headers on streamed answers too', async () => {
    const { mock } = await limited({ capacity: 3, refillPerSecond: 1 });
    const res = await request(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'm',
        max_tokens: 64,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    const text = await res.body.text();
    expect(res.statusCode).toBe(200);
    expect(text).toContain('event: message_stop');
    expect(res.headers['anthropic-ratelimit-requests-limit']).toBe('3');
    expect(res.headers['anthropic-ratelimit-requests-remaining']).toBe('2');
    // Full again 1 s after time 0.
    expect(res.headers['anthropic-ratelimit-requests-reset']).toBe('1970-01-01T00:00:01Z');
  });
});

describe('rate limiter: each format refuses in its own shape', () => {
  it('Anthropic: 429 rate_limit_error, request-id, anthropic-ratelimit-requests-*', async () => {
    const { mock } = await limited({ capacity: 1, refillPerSecond: 0.25 });
    const answers = await burst(mock, 2, 'anthropic');
    const refused = answers.find((a) => a.status === 429)!;
    expect(JSON.parse(refused.text)).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error', message: expect.stringContaining('rate limit') },
    });
    expect(refused.headers['retry-after']).toBe('4');
    expect(refused.headers['request-id']).toMatch(/^req_/);
    expect(refused.headers['anthropic-ratelimit-requests-limit']).toBe('1');
    expect(refused.headers['anthropic-ratelimit-requests-remaining']).toBe('0');
    expect(refused.headers['anthropic-ratelimit-requests-reset']).toBe('1970-01-01T00:00:04Z');
    expect(refused.headers['x-ratelimit-limit-requests']).toBeUndefined();
  });

  it('OpenAI: 429 rate_limit_exceeded, x-ratelimit-*-requests', async () => {
    const { mock } = await limited({ capacity: 1, refillPerSecond: 0.25 });
    const refused = (await burst(mock, 2, 'openai')).find((a) => a.status === 429)!;
    expect(JSON.parse(refused.text).error).toMatchObject({ code: 'rate_limit_exceeded' });
    expect(refused.headers['retry-after']).toBe('4');
    expect(refused.headers['x-ratelimit-reset-requests']).toBe('4s');
    expect(refused.headers['anthropic-ratelimit-requests-limit']).toBeUndefined();
  });

  it('Gemini: 429 RESOURCE_EXHAUSTED with a RetryInfo delay, no rate-limit headers', async () => {
    const { mock } = await limited({ capacity: 1, refillPerSecond: 0.25 });
    const answers = await burst(mock, 2, 'gemini');
    expect(statuses(answers)).toEqual([200, 429]);
    const refused = answers.find((a) => a.status === 429)!;
    const error = JSON.parse(refused.text).error;
    expect(error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
    expect(error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '4s' }),
      ]),
    );
    expect(refused.headers['retry-after']).toBe('4');
    expect(Object.keys(refused.headers).some((h) => h.includes('ratelimit'))).toBe(false);
  });
});

describe('rate limiter config', () => {
  it('names each bad field in the error', () => {
    const attempt = () =>
      parseScenario({
        models: { m: { rateLimit: { capacity: 0, refillPerSecond: -1, burst: 3 } } },
        defaults: { rateLimit: { capacity: 2 } },
      });
    expect(attempt).toThrow(ScenarioError);
    const message = (() => {
      try {
        attempt();
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(message).toContain('models.m.rateLimit.capacity');
    expect(message).toContain('models.m.rateLimit.refillPerSecond');
    expect(message).toContain('models.m.rateLimit: Unrecognized key: "burst"');
    expect(message).toContain('defaults.rateLimit.refillPerSecond');
  });

  it('refuses a bad limiter over POST /_mock/scenario and keeps the old one', async () => {
    const { mock } = await limited({ capacity: 1, refillPerSecond: 1 });
    const res = await request(`${mock.url}/_mock/scenario`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ models: { m: { rateLimit: { capacity: 1.5, refillPerSecond: 0 } } } }),
    });
    expect(res.statusCode).toBe(400);
    const message = ((await res.body.json()) as { error: { message: string } }).error.message;
    expect(message).toMatch(/models\.m\.rateLimit\.capacity/);
    expect(message).toMatch(/models\.m\.rateLimit\.refillPerSecond/);
    expect(statuses(await burst(mock, 2))).toEqual([200, 429]);
  });
});
