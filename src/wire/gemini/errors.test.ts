import { describe, expect, it } from 'vitest';
import { OutlastError } from '../../errors/index.ts';
import { decodeError, decodeStreamErrorFrame, encodeError, encodeStreamError } from './errors.ts';
import { fixtureNames, readText } from './fixtures/load.ts';

const EXPECTED_KIND: Record<string, string> = {
  '400.INVALID_ARGUMENT.json': 'auth',
  '403.PERMISSION_DENIED.json': 'permission',
  '404.NOT_FOUND.json': 'not_found',
  '429.RESOURCE_EXHAUSTED.json': 'rate_limited',
  '429.RESOURCE_EXHAUSTED.per_minute.json': 'rate_limited',
  '429.RESOURCE_EXHAUSTED.per_day.json': 'quota_exceeded',
  '429.RESOURCE_EXHAUSTED.retry_in_text.json': 'rate_limited',
  '500.INTERNAL.json': 'server',
  '503.UNAVAILABLE.json': 'overloaded',
  '504.DEADLINE_EXCEEDED.json': 'server',
};

describe('gemini decodeError', () => {
  const names = fixtureNames('errors/', '.json');
  it('has a kind expected for every error fixture', () => {
    expect(names.map((n) => n.replace('errors/', '')).sort()).toEqual(Object.keys(EXPECTED_KIND).sort());
  });

  it.each(Object.entries(EXPECTED_KIND))('%s classifies as %s', (name, kind) => {
    const text = readText(`errors/${name}`);
    const status = Number(name.split('.')[0]);
    const err = decodeError(status, { 'x-request-id': 'req-9' }, text);
    const body = JSON.parse(text) as { error: { message: string; status: string } };
    expect(err.kind).toBe(kind);
    expect(err.status).toBe(status);
    expect(err.provider).toBe('gemini');
    expect(err.providerType).toBe(body.error.status);
    expect(err.providerMessage).toBe(body.error.message);
    expect(err.requestId).toBe('req-9');
  });

  it('reads RetryInfo from the body as the retry hint, else the "Please retry in" of the message', () => {
    expect(decodeError(429, {}, readText('errors/429.RESOURCE_EXHAUSTED.json')).retryAfterMs).toBe(17_000);
    const perMinute = decodeError(429, {}, readText('errors/429.RESOURCE_EXHAUSTED.per_minute.json'));
    expect([perMinute.kind, perMinute.retryAfterMs, perMinute.retryable]).toEqual([
      'rate_limited',
      26_000,
      true,
    ]);
    const inText = decodeError(429, {}, readText('errors/429.RESOURCE_EXHAUSTED.retry_in_text.json'));
    expect(inText.retryAfterMs).toBe(20_045);
    const fractional = JSON.stringify({
      error: {
        code: 429,
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '45.837906927s' }],
      },
    });
    expect(decodeError(429, {}, fractional).retryAfterMs).toBe(45_838);
  });

  it('tells a daily quota apart by its QuotaFailure even when per-minute violations come with it', () => {
    const daily = decodeError(429, {}, readText('errors/429.RESOURCE_EXHAUSTED.per_day.json'));
    expect([daily.kind, daily.retryable, daily.retryAfterMs, daily.code]).toEqual([
      'quota_exceeded',
      false,
      47_000,
      'OUTLAST_QUOTA_EXCEEDED',
    ]);
    const byMetric = JSON.stringify({
      error: {
        code: 429,
        status: 'RESOURCE_EXHAUSTED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [
              { quotaMetric: 'generativelanguage.googleapis.com/generate_requests_per_model_per_day' },
            ],
          },
        ],
      },
    });
    expect(decodeError(429, {}, byMetric).kind).toBe('quota_exceeded');
    // The same in-band, after the 200.
    expect(
      decodeStreamErrorFrame(JSON.parse(readText('errors/429.RESOURCE_EXHAUSTED.per_day.json')))?.kind,
    ).toBe('quota_exceeded');
  });

  it('encodes a spent quota as Gemini does, and it decodes back as one', () => {
    const encoded = encodeError(new OutlastError({ kind: 'quota_exceeded', message: 'spent' }));
    expect(encoded.status).toBe(429);
    const again = decodeError(encoded.status, encoded.headers, encoded.body);
    expect([again.kind, again.providerType]).toEqual(['quota_exceeded', 'RESOURCE_EXHAUSTED']);
  });

  it('classifies a too-long prompt, a plain 400 and an HTML proxy page', () => {
    const long = JSON.stringify({
      error: {
        code: 400,
        message: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).',
        status: 'INVALID_ARGUMENT',
      },
    });
    expect(decodeError(400, {}, long).kind).toBe('context_length');
    const plain = JSON.stringify({
      error: { code: 400, message: 'Invalid JSON payload', status: 'INVALID_ARGUMENT' },
    });
    expect(decodeError(400, {}, plain).kind).toBe('bad_request');
    const html = decodeError(502, {}, '<html><body>502 Bad Gateway</body></html>');
    expect([html.kind, html.providerMessage]).toEqual([
      'server',
      '<html><body>502 Bad Gateway</body></html>',
    ]);
  });
});

describe('gemini encodeError', () => {
  it.each([
    ['rate_limited', 429, 'RESOURCE_EXHAUSTED'],
    ['overloaded', 503, 'UNAVAILABLE'],
    ['server', 500, 'INTERNAL'],
    ['timeout', 504, 'DEADLINE_EXCEEDED'],
    ['auth', 401, 'UNAUTHENTICATED'],
    ['permission', 403, 'PERMISSION_DENIED'],
    ['not_found', 404, 'NOT_FOUND'],
    ['bad_request', 400, 'INVALID_ARGUMENT'],
    ['context_length', 400, 'INVALID_ARGUMENT'],
  ] as const)('%s → %i %s', (kind, status, name) => {
    const encoded = encodeError(new OutlastError({ kind, message: 'x', providerMessage: 'said so' }));
    expect(encoded.status).toBe(status);
    expect(encoded.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(encoded.body)).toEqual({ error: { code: status, message: 'said so', status: name } });
  });

  it('adds retry-after and RetryInfo when the wait is known, and survives a decode', () => {
    const original = decodeError(429, {}, readText('errors/429.RESOURCE_EXHAUSTED.json'));
    const encoded = encodeError(original);
    expect(encoded.headers['retry-after']).toBe('17');
    const again = decodeError(encoded.status, encoded.headers, encoded.body);
    expect([again.kind, again.retryAfterMs, again.providerMessage]).toEqual([
      'rate_limited',
      17_000,
      original.providerMessage,
    ]);
  });

  it('writes the in-band stream error as a data frame with the envelope', () => {
    const frame = encodeStreamError(new OutlastError({ kind: 'overloaded', message: 'busy' }));
    expect(frame.startsWith('data: ')).toBe(true);
    expect(frame.endsWith('\n\n')).toBe(true);
    expect(JSON.parse(frame.slice(6))).toEqual({
      error: { code: 503, message: 'busy', status: 'UNAVAILABLE' },
    });
  });
});
