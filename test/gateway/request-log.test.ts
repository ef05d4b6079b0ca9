/**
 * The gateway's request log over the real mock: one line per request with what an operator asks
 * of it (which call, which route, who answered, how many attempts, how it ended, how long, how
 * many tokens), and the attempt lines of the same call under the same request id.
 */
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/gateway/index.ts';
import { formatLogLine } from '../../src/observe/pretty-log.ts';
import { captureLogger, createHarness, GATEWAY_KEY, type Harness } from './support.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const ask = { model: 'default', messages: [{ role: 'user' as const, content: 'hello there' }] };
const ROUTE = ['anthropic/claude-sonnet-4-5', 'openai/gpt-4.1'];

async function setup(scenario: Parameters<typeof createHarness>[0]) {
  harness = await createHarness(scenario);
  const log = captureLogger();
  const gateway = await harness.start(
    { routes: { default: ROUTE }, keys: [{ name: 'team-a', hash: hashKey(GATEWAY_KEY) }] },
    { logger: log },
  );
  const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
  // The line is written once the response is finished, a moment after the client has it.
  const requestLines = async (n: number) => {
    for (let i = 0; i < 100 && log.records.filter((r) => r['event'] === 'request').length < n; i++)
      await new Promise((r) => setTimeout(r, 10));
    return log.records.filter((r) => r['event'] === 'request');
  };
  return { gateway, log, client, requestLines };
}

describe('request log', () => {
  it('writes one line for a call that fell back, with its id, route, answering model, attempts and tokens', async () => {
    const { log, client, requestLines } = await setup({
      models: { 'claude-sonnet-4-5': { faults: ['500'] } },
    });
    const { data, response } = await client.chat.completions.create(ask).withResponse();
    const [line, ...more] = await requestLines(1);
    expect(more).toHaveLength(0);
    const requestId = response.headers.get('x-outlast-request-id');
    expect(line).toMatchObject({
      level: 'info',
      requestId,
      method: 'POST',
      endpoint: '/v1/chat/completions',
      route: 'default',
      model: 'openai/gpt-4.1',
      attempts: 3,
      outcome: 'success',
      status: 200,
      stream: false,
      key: 'team-a',
      tokens: { input: data.usage?.prompt_tokens, output: data.usage?.completion_tokens },
    });
    expect(line!['durationMs']).toEqual(expect.any(Number));
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
    // Both failed attempts on the primary are logged under the same request id.
    const failed = log.records.filter((r) => r['event'] === 'attempt_failed');
    expect(failed.map((r) => [r['requestId'], r['model'], r['status']])).toEqual([
      [requestId, 'claude-sonnet-4-5', 500],
      [requestId, 'claude-sonnet-4-5', 500],
    ]);
  });

  it('counts the tokens of a streamed answer from what it relayed', async () => {
    const { client, requestLines } = await setup({});
    const stream = await client.chat.completions.create({
      ...ask,
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
    for await (const chunk of stream) usage = chunk.usage ?? usage;
    const [line] = await requestLines(1);
    expect(line).toMatchObject({
      model: 'anthropic/claude-sonnet-4-5',
      attempts: 1,
      outcome: 'success',
      stream: true,
      tokens: { input: usage?.prompt_tokens, output: usage?.completion_tokens },
    });
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('logs a call that failed everywhere with its error kind, status and the same id as its attempt lines', async () => {
    const { log, client, requestLines } = await setup({
      models: { 'claude-sonnet-4-5': { faults: ['400'] }, 'gpt-4.1': { faults: ['400'] } },
    });
    const error = await client.chat.completions.create(ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const requestId = (error as InstanceType<typeof OpenAI.APIError>).headers?.get('x-outlast-request-id');
    const [line] = await requestLines(1);
    expect(line).toMatchObject({
      requestId,
      route: 'default',
      outcome: 'error',
      errorKind: 'bad_request',
      status: 400,
      attempts: 1,
    });
    expect(line).not.toHaveProperty('model');
    const failed = log.records.filter((r) => r['event'] === 'attempt_failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((r) => r['requestId'] === requestId)).toBe(true);
  });

  it('logs a refused key with the id the client was given', async () => {
    const { gateway, requestLines } = await setup({});
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong-key', 'content-type': 'application/json' },
      body: JSON.stringify(ask),
    });
    expect(res.status).toBe(401);
    const [line] = await requestLines(1);
    expect(line).toMatchObject({
      requestId: res.headers.get('x-outlast-request-id'),
      status: 401,
      outcome: 'error',
      errorKind: 'auth',
    });
    expect(line).not.toHaveProperty('key');
  });
});

describe('pretty log lines', () => {
  it('renders a JSON record as time, level, message and key=value fields', () => {
    const line = JSON.stringify({
      level: 30,
      time: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
      pid: 1,
      hostname: 'h',
      name: 'outlast-gateway',
      event: 'request',
      requestId: 'req_1',
      route: 'default',
      tokens: { input: 3, output: 9 },
      msg: 'request',
    });
    expect(formatLogLine(line, false)).toBe(
      '03:04:05.006 INFO  request requestId=req_1 route=default tokens=input:3,output:9',
    );
    expect(formatLogLine(line, true)).toContain('\u001b[32mINFO \u001b[0m');
    expect(formatLogLine('not json', false)).toBe('not json');
  });
});
