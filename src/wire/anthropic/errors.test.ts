import { describe, expect, it } from 'vitest';
import { type ErrorKind, OutlastError } from '../../errors/index.ts';
import { readFixture } from './fixtures.ts';
import { anthropicCodec, decodeAnthropicStreamError, isPrefillRejection } from './index.ts';

function decodeFixture(name: string, headers: Record<string, string> = {}): OutlastError {
  const status = Number(name.split('.')[0]);
  return anthropicCodec.decodeError(status, headers, readFixture(`errors/${name}`));
}

describe('anthropic error answers → OutlastError', () => {
  it.each<[string, ErrorKind, string | undefined]>([
    ['400.invalid_request_error.json', 'bad_request', 'invalid_request_error'],
    ['400.prompt_too_long.json', 'context_length', 'invalid_request_error'],
    ['400.prefill_not_supported.json', 'bad_request', 'invalid_request_error'],
    ['401.authentication_error.json', 'auth', 'authentication_error'],
    ['400.credit_balance_too_low.json', 'quota_exceeded', 'invalid_request_error'],
    ['400.usage_limits_reached.json', 'quota_exceeded', 'invalid_request_error'],
    ['402.billing_error.json', 'quota_exceeded', 'billing_error'],
    ['403.permission_error.json', 'permission', 'permission_error'],
    ['404.not_found_error.json', 'not_found', 'not_found_error'],
    ['409.conflict_error.json', 'server', 'conflict_error'],
    ['413.request_too_large.json', 'bad_request', 'request_too_large'],
    ['429.rate_limit_error.json', 'rate_limited', 'rate_limit_error'],
    ['429.spend_limit.json', 'quota_exceeded', 'enforced_spend_limit_reached'],
    ['500.api_error.json', 'server', 'api_error'],
    ['502.proxy_html.txt', 'server', undefined],
    ['504.timeout_error.json', 'server', 'timeout_error'],
    ['529.overloaded_error.json', 'overloaded', 'overloaded_error'],
  ])('%s is %s', (name, kind, providerType) => {
    const error = decodeFixture(name);
    expect(error.kind).toBe(kind);
    expect(error.providerType).toBe(providerType);
    expect(error.status).toBe(Number(name.split('.')[0]));
  });

  it('keeps the provider message and the request id (header first, body as fallback)', () => {
    const fromBody = decodeFixture('529.overloaded_error.json');
    expect(fromBody.providerMessage).toBe('Overloaded');
    expect(fromBody.requestId).toBe('req_011CSHoEeqs5C35K2UUqR7F9');
    expect(fromBody.message).toBe('upstream answered 529 overloaded_error: Overloaded');
    expect(decodeFixture('529.overloaded_error.json', { 'Request-Id': 'req_header' }).requestId).toBe(
      'req_header',
    );
    expect(decodeFixture('502.proxy_html.txt').providerMessage).toBe(
      '502 Bad Gateway 502 Bad Gateway cloudflare',
    );
  });

  it('recognises the prefill rejection of newer models, and nothing else', () => {
    expect(isPrefillRejection(decodeFixture('400.prefill_not_supported.json'))).toBe(true);
    expect(isPrefillRejection(decodeFixture('400.invalid_request_error.json'))).toBe(false);
    expect(isPrefillRejection(decodeFixture('400.prompt_too_long.json'))).toBe(false);
    expect(isPrefillRejection(decodeFixture('529.overloaded_error.json'))).toBe(false);
  });
});

describe('OutlastError → Anthropic error answer', () => {
  it.each<[ErrorKind, number, string]>([
    ['overloaded', 529, 'overloaded_error'],
    ['rate_limited', 429, 'rate_limit_error'],
    ['server', 500, 'api_error'],
    ['network', 502, 'api_error'],
    ['timeout', 504, 'timeout_error'],
    ['stream_interrupted', 500, 'api_error'],
    ['invalid_response', 502, 'api_error'],
    ['context_length', 400, 'invalid_request_error'],
    ['content_filter', 400, 'invalid_request_error'],
    ['auth', 401, 'authentication_error'],
    ['permission', 403, 'permission_error'],
    ['not_found', 404, 'not_found_error'],
    ['bad_request', 400, 'invalid_request_error'],
  ])('%s → %i %s', (kind, status, type) => {
    const encoded = anthropicCodec.encodeError(
      new OutlastError({ kind, message: 'went wrong', requestId: 'req_1' }),
    );
    expect(encoded.status).toBe(status);
    expect(encoded.headers['content-type']).toBe('application/json');
    expect(encoded.headers['request-id']).toBe('req_1');
    const body = JSON.parse(encoded.body);
    expect(body).toMatchObject({ type: 'error', error: { type }, request_id: 'req_1' });
  });

  it.each([
    '400.invalid_request_error.json',
    '400.credit_balance_too_low.json',
    '400.usage_limits_reached.json',
    '400.prompt_too_long.json',
    '401.authentication_error.json',
    '402.billing_error.json',
    '403.permission_error.json',
    '404.not_found_error.json',
    '413.request_too_large.json',
    '429.rate_limit_error.json',
    '429.spend_limit.json',
    '500.api_error.json',
    '504.timeout_error.json',
    '529.overloaded_error.json',
  ])('%s decodes and encodes back to the same status and body', (name) => {
    const encoded = anthropicCodec.encodeError(decodeFixture(name));
    expect(encoded.status).toBe(Number(name.split('.')[0]));
    expect(JSON.parse(encoded.body)).toEqual(JSON.parse(readFixture(`errors/${name}`)));
  });

  it('says "prompt is too long" for a context-length failure that came from elsewhere', () => {
    const error = new OutlastError({
      kind: 'context_length',
      message: 'x',
      providerMessage: "This model's maximum context length is 128000 tokens.",
    });
    const body = JSON.parse(anthropicCodec.encodeError(error).body);
    expect(body.error.message).toBe(
      "prompt is too long: This model's maximum context length is 128000 tokens.",
    );
  });

  it('sends retry-after when the wait is known, x-should-retry false when retrying cannot help, and always a request id', () => {
    const limited = anthropicCodec.encodeError(
      new OutlastError({ kind: 'rate_limited', message: 'slow down', retryAfterMs: 2500 }),
    );
    expect(limited.headers['retry-after']).toBe('3');
    expect(limited.headers['retry-after-ms']).toBe('2500');
    expect(limited.headers['x-should-retry']).toBeUndefined();
    expect(limited.headers['request-id']).toMatch(/^req_/);
    expect(JSON.parse(limited.body).request_id).toBe(limited.headers['request-id']);
    const bad = anthropicCodec.encodeError(new OutlastError({ kind: 'bad_request', message: 'no' }));
    expect(bad.headers['retry-after']).toBeUndefined();
    expect(bad.headers['x-should-retry']).toBe('false');
  });

  it('encodes the in-band stream error as an `event: error` frame', () => {
    const frame = anthropicCodec.encodeStreamError(
      new OutlastError({ kind: 'overloaded', message: 'Overloaded' }),
    );
    expect(frame).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    );
  });
});

describe('a spent quota through the Anthropic dialect', () => {
  it('answers as Anthropic does for a spent credit balance, tells the SDK not to retry, and reads back the same', () => {
    const quota = decodeFixture('400.credit_balance_too_low.json');
    const encoded = anthropicCodec.encodeError(quota);
    expect(encoded.status).toBe(400);
    expect(encoded.headers['x-should-retry']).toBe('false');
    expect(JSON.parse(encoded.body)).toMatchObject({ error: { type: 'invalid_request_error' } });
    const again = anthropicCodec.decodeError(encoded.status, encoded.headers, encoded.body);
    expect(again.kind).toBe('quota_exceeded');
    // A spend limit keeps its 429 and the details that tell it from a rate limit.
    const spend = anthropicCodec.encodeError(decodeFixture('429.spend_limit.json'));
    expect(anthropicCodec.decodeError(spend.status, spend.headers, spend.body).kind).toBe('quota_exceeded');
    // A spent quota of another provider (OpenAI's) comes out the same way.
    const foreign = new OutlastError({
      kind: 'quota_exceeded',
      message: 'x',
      providerType: 'insufficient_quota',
    });
    expect(anthropicCodec.encodeError(foreign).status).toBe(400);
  });

  it('reads an in-band error event that says the credit ran out', () => {
    const err = decodeAnthropicStreamError({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: 'Your credit balance is too low to access the Anthropic API.',
      },
    });
    expect(err.kind).toBe('quota_exceeded');
    expect(err.message).toBe(
      'upstream stream failed with invalid_request_error: Your credit balance is too low to access the Anthropic API.',
    );
  });
});
