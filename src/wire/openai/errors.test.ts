import { describe, expect, it } from 'vitest';
import { type ErrorKind, OutlastError } from '../../errors/index.ts';
import { fixtureNames, readFixture, sseData } from './fixtures.ts';
import { openaiCodec } from './index.ts';

const EXPECTED: Record<string, ErrorKind> = {
  '400.billing_hard_limit_reached.json': 'quota_exceeded',
  '400.content_policy_violation.json': 'content_filter',
  '400.context_length_exceeded.json': 'context_length',
  '400.invalid_request_error.json': 'bad_request',
  '401.invalid_api_key.json': 'auth',
  '403.unsupported_country.json': 'permission',
  '402.insufficient_balance.json': 'quota_exceeded',
  '404.model_not_found.json': 'not_found',
  '429.insufficient_quota.json': 'quota_exceeded',
  '429.insufficient_quota_null_code.json': 'quota_exceeded',
  '429.rate_limit_exceeded.json': 'rate_limited',
  '500.server_error.json': 'server',
  '502.proxy_html.txt': 'server',
  '503.overloaded.json': 'overloaded',
};

describe('openai error answers → OutlastError', () => {
  it('has an expected kind for every error fixture', () => {
    expect(fixtureNames('', 'errors').filter((n) => !n.endsWith('.md'))).toEqual(
      Object.keys(EXPECTED).sort(),
    );
  });

  it.each(Object.entries(EXPECTED))('%s classifies as %s', (name, kind) => {
    const status = Number(name.slice(0, 3));
    const body = readFixture(`errors/${name}`);
    const error = openaiCodec.decodeError(status, { 'X-Request-Id': 'req_abc123' }, body);
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.requestId).toBe('req_abc123');
    expect(error.providerMessage).toBeTruthy();
    expect(error.message).toContain(String(status));
    if (name.endsWith('.json')) {
      const wire = (JSON.parse(body) as { error: { message: string; type: string; code: string | null } })
        .error;
      expect(error.providerMessage).toBe(wire.message);
      expect(error.providerType).toBe(wire.code ?? wire.type);
    }
  });

  it('treats a spent quota as not transient and a rate limit as transient', () => {
    const quota = openaiCodec.decodeError(429, {}, readFixture('errors/429.insufficient_quota.json'));
    expect(quota.retryable).toBe(false);
    const limit = openaiCodec.decodeError(429, {}, readFixture('errors/429.rate_limit_exceeded.json'));
    expect(limit.retryable).toBe(true);
  });

  it('reads the error shapes of compatible servers and HTML pages from proxies', () => {
    expect(openaiCodec.decodeError(400, {}, '{"detail":"prompt is too long for this model"}').kind).toBe(
      'context_length',
    );
    expect(openaiCodec.decodeError(503, {}, '{"error":"model is loading"}').providerMessage).toBe(
      'model is loading',
    );
    const html = openaiCodec.decodeError(502, {}, readFixture('errors/502.proxy_html.txt'));
    expect(html.providerMessage).toBe('502 Bad Gateway 502 Bad Gateway cloudflare');
    expect(openaiCodec.decodeError(500, new Headers({ 'x-request-id': 'r1' }), '').requestId).toBe('r1');
  });
});

describe('OutlastError → openai error answer', () => {
  const cases: Array<[ErrorKind, number, string, string | null]> = [
    ['rate_limited', 429, 'requests', 'rate_limit_exceeded'],
    ['overloaded', 503, 'server_error', 'overloaded'],
    ['server', 500, 'server_error', null],
    ['timeout', 504, 'server_error', 'timeout'],
    ['context_length', 400, 'invalid_request_error', 'context_length_exceeded'],
    ['content_filter', 400, 'invalid_request_error', 'content_policy_violation'],
    ['auth', 401, 'invalid_request_error', 'invalid_api_key'],
    ['permission', 403, 'permission_error', null],
    ['not_found', 404, 'invalid_request_error', 'model_not_found'],
    ['bad_request', 400, 'invalid_request_error', null],
  ];
  it.each(cases)('%s → %i %s/%s with all four keys', (kind, status, type, code) => {
    const encoded = openaiCodec.encodeError(
      new OutlastError({ kind, message: `m ${kind}`, providerMessage: 'said' }),
    );
    expect(encoded.status).toBe(status);
    expect(encoded.headers['content-type']).toBe('application/json');
    const body = JSON.parse(encoded.body) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(body.error).toMatchObject({ message: 'said', type, code });
  });

  it('adds retry-after when the wait is known, the request id, and x-should-retry false when retrying cannot help', () => {
    const limited = openaiCodec.encodeError(
      new OutlastError({ kind: 'rate_limited', message: 'x', retryAfterMs: 1500, requestId: 'req_9' }),
    );
    expect(limited.headers).toMatchObject({
      'retry-after': '2',
      'retry-after-ms': '1500',
      'x-request-id': 'req_9',
    });
    expect(limited.headers['x-should-retry']).toBeUndefined();
    const quota = openaiCodec.decodeError(429, {}, readFixture('errors/429.insufficient_quota.json'));
    const encoded = openaiCodec.encodeError(quota);
    expect(encoded.status).toBe(429);
    expect(JSON.parse(encoded.body)).toEqual(JSON.parse(readFixture('errors/429.insufficient_quota.json')));
    expect(encoded.headers['x-should-retry']).toBe('false');
  });

  // 403 and 402 are other servers' shapes (a region block, DeepSeek's balance): OpenAI answers neither.
  it.each(
    fixtureNames('', 'errors').filter(
      (n) => n.endsWith('.json') && !n.startsWith('403') && !n.startsWith('402'),
    ),
  )('%s survives decode → encode with its status and message', (name) => {
    const status = Number(name.slice(0, 3));
    const wire = JSON.parse(readFixture(`errors/${name}`)) as { error: { message: string } };
    const encoded = openaiCodec.encodeError(openaiCodec.decodeError(status, {}, JSON.stringify(wire)));
    expect(encoded.status).toBe(status);
    expect((JSON.parse(encoded.body) as typeof wire).error.message).toBe(wire.error.message);
  });

  it('encodes the in-band stream error frame as a data-only chunk', () => {
    const frame = openaiCodec.encodeStreamError(new OutlastError({ kind: 'server', message: 'boom' }));
    expect(frame).toMatch(/^data: \{"error":/);
    expect(JSON.parse(sseData(frame)[0]!)).toEqual({
      error: { message: 'boom', type: 'server_error', param: null, code: null },
    });
  });
});

describe('a spent quota through the OpenAI dialect', () => {
  it('answers 429 insufficient_quota with x-should-retry false, whatever provider it came from', () => {
    const fromAnthropic = new OutlastError({
      kind: 'quota_exceeded',
      message: 'x',
      providerType: 'billing_error',
      providerMessage: 'Your credit balance is too low to access the Anthropic API.',
    });
    const encoded = openaiCodec.encodeError(fromAnthropic);
    expect(encoded.status).toBe(429);
    expect(encoded.headers['x-should-retry']).toBe('false');
    expect(JSON.parse(encoded.body)).toMatchObject({
      error: { type: 'insufficient_quota', code: 'insufficient_quota' },
    });
    expect(openaiCodec.decodeError(encoded.status, encoded.headers, encoded.body).kind).toBe(
      'quota_exceeded',
    );
  });
});
