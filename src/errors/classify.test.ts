import { describe, expect, it } from 'vitest';
import { classifyHttpFailure, toOutlastError } from './classify.ts';
import { treatmentOf } from './error-kind.ts';
import { OutlastError } from './outlast-error.ts';

describe('classifyHttpFailure', () => {
  it.each([
    [{ status: 529, providerType: 'overloaded_error' }, 'overloaded'],
    [{ status: 503 }, 'overloaded'],
    [{ status: 429, providerType: 'rate_limit_error' }, 'rate_limited'],
    [{ status: 429, providerType: 'insufficient_quota', providerCode: 'insufficient_quota' }, 'permission'],
    [{ status: 500, providerType: 'api_error' }, 'server'],
    [{ status: 502 }, 'server'],
    [{ status: 504, providerType: 'timeout_error' }, 'server'],
    [
      {
        status: 400,
        providerType: 'invalid_request_error',
        message: 'prompt is too long: 210000 tokens > 200000 maximum',
      },
      'context_length',
    ],
    [
      { status: 400, providerType: 'invalid_request_error', providerCode: 'context_length_exceeded' },
      'context_length',
    ],
    [{ status: 400, providerCode: 'content_policy_violation' }, 'content_filter'],
    [
      { status: 400, providerType: 'invalid_request_error', message: 'max_tokens: Field required' },
      'bad_request',
    ],
    [{ status: 401 }, 'auth'],
    [{ status: 403 }, 'permission'],
    [{ status: 404, providerType: 'not_found_error' }, 'not_found'],
    [{ status: 413, providerType: 'request_too_large' }, 'bad_request'],
    [{ status: 422 }, 'bad_request'],
    [{ status: 429, providerType: 'RESOURCE_EXHAUSTED' }, 'rate_limited'],
    [{ status: 503, providerType: 'UNAVAILABLE' }, 'overloaded'],
    [{ status: 504, providerType: 'DEADLINE_EXCEEDED' }, 'server'],
    [{ status: 400, providerType: 'INVALID_ARGUMENT' }, 'bad_request'],
    [{ providerType: 'overloaded_error', message: 'Overloaded' }, 'overloaded'],
  ] as const)('%o is %s', (facts, kind) => {
    expect(classifyHttpFailure(facts)).toBe(kind);
  });
});

describe('toOutlastError', () => {
  it('maps socket codes to network and undici timeouts to their phase', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(toOutlastError(reset, { provider: 'p', model: 'm' }).kind).toBe('network');
    const connect = Object.assign(new Error('Connect Timeout Error'), { code: 'UND_ERR_CONNECT_TIMEOUT' });
    const err = toOutlastError(new TypeError('fetch failed', { cause: connect }));
    expect([err.kind, err.phase]).toEqual(['timeout', 'connect']);
    expect(treatmentOf(err.kind, err.phase).retrySameTarget).toBe('yes');
    expect(treatmentOf('timeout', 'first_token').retrySameTarget).toBe('last_resort');
  });

  it('recognises OutlastErrors across copies of the package by brand', () => {
    const err = new OutlastError({ kind: 'server', message: 'x', status: 500 });
    expect(OutlastError.isInstance(err)).toBe(true);
    expect(OutlastError.isInstance(new Error('x'))).toBe(false);
    expect(err.retryable).toBe(true);
    expect(new OutlastError({ kind: 'bad_request', message: 'x' }).retryable).toBe(false);
    expect(err.with({ provider: 'anthropic' }).provider).toBe('anthropic');
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({
      kind: 'server',
      status: 500,
      code: 'OUTLAST_SERVER',
    });
  });
});
