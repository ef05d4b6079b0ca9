import Anthropic from '@anthropic-ai/sdk';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockProvider, PREFILL_REJECTED_MESSAGE, startMockProvider } from '../../src/testing/index.ts';

let mock: MockProvider;
let client: Anthropic;
beforeAll(async () => {
  mock = await startMockProvider({ seed: 9, models: { 'claude-strict': { rejectsPrefill: true } } });
  client = new Anthropic({ baseURL: mock.baseURLs.anthropic, apiKey: 'test-key', maxRetries: 0 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Tell me about timeouts.' }];
const base = { model: 'claude-mock', max_tokens: 256, messages };

async function raw(body: object, fault?: string) {
  const res = await request(`${mock.url}/v1/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
      ...(fault ? { 'x-mock-fault': fault } : {}),
    },
    body: JSON.stringify(body),
  });
  let text = '';
  let error: unknown;
  try {
    for await (const chunk of res.body) text += chunk;
  } catch (e) {
    error = e;
  }
  return { status: res.statusCode, headers: res.headers, text, error };
}

const events = (text: string) =>
  text
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => /^event: (.*)$/m.exec(frame)?.[1]);

describe('the official @anthropic-ai/sdk against a healthy mock', () => {
  it('creates a message', async () => {
    const message = await client.messages.create(base);
    expect(message.id).toMatch(/^msg_01/);
    expect(message.type).toBe('message');
    expect(message.stop_reason).toBe('end_turn');
    expect(message.content[0]?.type).toBe('text');
    expect(message.usage.output_tokens).toBe(mock.log()[0]?.tokensSent);
    expect(message._request_id).toMatch(/^req_011C/);
  });

  it('streams events that add up to the same message', async () => {
    const whole = await client.messages.create(base);
    const stream = await client.messages.create({ ...base, stream: true });
    let text = '';
    const seen: string[] = [];
    for await (const event of stream) {
      seen.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(seen[0]).toBe('message_start');
    expect(seen.at(-1)).toBe('message_stop');
    expect(text).toBe((whole.content[0] as Anthropic.TextBlock).text);
  });

  it('assembles messages.stream().finalMessage()', async () => {
    const final = await client.messages.stream({ ...base, max_tokens: 10 }).finalMessage();
    expect(final.stop_reason).toBe('max_tokens');
    expect(final.usage.output_tokens).toBe(10);
    expect((final.content[0] as Anthropic.TextBlock).text.split(' ')).toHaveLength(10);
  });

  it('sees a 529 as OverloadedError and a 429 as RateLimitError', async () => {
    const overloaded = await client.messages
      .create(base, { headers: { 'x-mock-fault': '529' } })
      .catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(Anthropic.InternalServerError);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    const limited = await client.messages
      .create(base, { headers: { 'x-mock-fault': '429 retry-after=1' } })
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
  });

  it('rejects a prefill on a model flagged rejectsPrefill, with the real message', async () => {
    const error = await client.messages
      .create({
        ...base,
        model: 'claude-strict',
        messages: [...messages, { role: 'assistant', content: 'So' }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.APIError>).message).toContain(PREFILL_REJECTED_MESSAGE);
  });
});

describe('Anthropic faults on the wire', () => {
  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [503, 'overloaded_error'],
    [504, 'timeout_error'],
    [529, 'overloaded_error'],
  ])('%i: {type:"error", error:{type:%j}} with request-id', async (status, type) => {
    const res = await raw(base, String(status));
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['request-id']).toMatch(/^req_/);
    expect(JSON.parse(res.text)).toMatchObject({
      type: 'error',
      error: { type, message: expect.any(String) },
    });
  });

  it('names context-length and content-filter 400s the way Anthropic words them', async () => {
    expect(JSON.parse((await raw(base, 'context_length')).text).error.message).toMatch(/^prompt is too long/);
    expect(JSON.parse((await raw(base, 'content_filter')).text).error).toMatchObject({
      type: 'invalid_request_error',
      message: 'Output blocked by content filtering policy',
    });
  });

  it('lists models in Anthropic’s shape for the SDK', async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => [m.type, m.id])).toEqual([['model', 'claude-strict']]);
  });

  it('sends the rate-limit reset headers as RFC 3339 times', async () => {
    const res = await raw(base, '429 retry-after=2 reset=30s');
    expect(res.headers['retry-after']).toBe('2');
    expect(res.headers['anthropic-ratelimit-requests-remaining']).toBe('0');
    expect(res.headers['anthropic-ratelimit-requests-reset']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('sends an in-band overloaded_error event after N tokens, with no message_stop', async () => {
    const res = await raw({ ...base, stream: true }, 'error_event at=2');
    const names = events(res.text);
    expect(names.filter((n) => n === 'content_block_delta')).toHaveLength(2);
    expect(names.at(-1)).toBe('error');
    expect(res.text).toContain('"overloaded_error"');
    expect(names).not.toContain('message_stop');
  });

  it('leaves out message_stop', async () => {
    const res = await raw({ ...base, stream: true }, 'no_terminal');
    const names = events(res.text);
    expect(names).toContain('message_delta');
    expect(names).not.toContain('message_stop');
  });

  it('cuts the stream after N tokens', async () => {
    const res = await raw({ ...base, stream: true }, 'cut after=4');
    expect(res.error).toMatchObject({ code: 'UND_ERR_SOCKET' });
    const names = events(res.text);
    expect(names.filter((n) => n === 'content_block_delta')).toHaveLength(4);
    expect(names).not.toContain('message_delta');
  });

  it('answers a prefill of its own answer with exactly the rest', async () => {
    const full = ((await client.messages.create(base)).content[0] as Anthropic.TextBlock).text;
    const partial = full.slice(0, full.indexOf(' ', 30));
    const rest = await client.messages
      .stream({ ...base, messages: [...messages, { role: 'assistant', content: partial }] })
      .finalText();
    expect(partial + rest).toBe(full);
  });

  it('answers bad input with its own 400 and keeps serving', async () => {
    const res = await raw({ model: 'claude-mock', messages });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect((await raw(base)).status).toBe(200);
  });
});
