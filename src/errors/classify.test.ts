import { describe, expect, it } from 'vitest';
import { classifyHttpFailure, toOutlastError } from './classify.ts';
import { isOutlastErrorCode, OUTLAST_ERROR_CODES } from './codes.ts';
import { cooldownEndOf, DEFAULT_QUOTA_COOLDOWN_MS, treatmentOf } from './error-kind.ts';
import { OutlastError } from './outlast-error.ts';
import { upstreamError, withUpstreamFacts } from './upstream-error.ts';

describe('classifyHttpFailure', () => {
  // A provider's table, as a wire folder passes it: the classifier itself knows no provider.
  const types = { overloaded_error: 'overloaded', insufficient_quota: 'quota_exceeded' } as const;

  it.each([
    [{ status: 503 }, 'overloaded'],
    [{ status: 529 }, 'overloaded'],
    [{ status: 429 }, 'rate_limited'],
    [{ status: 402 }, 'quota_exceeded'],
    [{ status: 500 }, 'server'],
    [{ status: 502 }, 'server'],
    [{ status: 408 }, 'server'],
    [{ status: 401 }, 'auth'],
    [{ status: 403 }, 'permission'],
    [{ status: 404 }, 'not_found'],
    [{ status: 413 }, 'bad_request'],
    [{ status: 422 }, 'bad_request'],
    [{}, 'server'],
  ] as const)('%o is %s by its status alone', (facts, kind) => {
    expect(classifyHttpFailure(facts)).toBe(kind);
  });

  it('knows no provider type unless the provider table is given', () => {
    expect(classifyHttpFailure({ status: 500, providerType: 'overloaded_error' })).toBe('server');
    expect(classifyHttpFailure({ status: 500, providerType: 'overloaded_error' }, types)).toBe('overloaded');
    expect(classifyHttpFailure({ providerType: 'overloaded_error' }, types)).toBe('overloaded');
  });

  it('weighs the code over the type, and the type over the status', () => {
    const facts = { status: 429, providerType: 'rate_limit_error', providerCode: 'insufficient_quota' };
    expect(classifyHttpFailure(facts, types)).toBe('quota_exceeded');
    expect(classifyHttpFailure({ status: 429, providerType: 'insufficient_quota' }, types)).toBe(
      'quota_exceeded',
    );
  });

  it("takes the codec's finding of a spent quota over everything else", () => {
    const facts = { status: 429, providerType: 'RESOURCE_EXHAUSTED', quotaExhausted: true };
    expect(classifyHttpFailure(facts, { RESOURCE_EXHAUSTED: 'rate_limited' })).toBe('quota_exceeded');
    expect(classifyHttpFailure({ status: 400, quotaExhausted: true })).toBe('quota_exceeded');
  });

  it('reads a too-long prompt and a content filter from the message of a 4xx, never of a 429 or 5xx', () => {
    const long = 'prompt is too long: 210000 tokens > 200000 maximum';
    expect(classifyHttpFailure({ status: 400, providerType: 'invalid_request_error', message: long })).toBe(
      'context_length',
    );
    expect(classifyHttpFailure({ message: long })).toBe('context_length');
    expect(classifyHttpFailure({ status: 429, message: long })).toBe('rate_limited');
    expect(classifyHttpFailure({ status: 500, message: long })).toBe('server');
    const filtered = 'Your request was rejected as a result of our safety system.';
    expect(classifyHttpFailure({ status: 400, message: filtered })).toBe('content_filter');
    expect(classifyHttpFailure({ status: 400, message: 'max_tokens: Field required' })).toBe('bad_request');
  });
});

describe('the treatment of a spent quota', () => {
  it('never retries here, falls back, keeps out of the breaker and cools the target long', () => {
    const t = treatmentOf('quota_exceeded');
    expect(t).toMatchObject({
      retrySameTarget: 'no',
      fallBack: 'yes',
      breakerCounts: false,
      // Not a cooldown to wait for, as a rate limit's is: other calls keep off, this one moves on.
      coolsDown: false,
    });
    expect(t.minimumCooldownMs).toBe(DEFAULT_QUOTA_COOLDOWN_MS);
    expect(new OutlastError({ kind: 'quota_exceeded', message: 'x' }).retryable).toBe(false);
  });

  it('cools until the hint or the minimum, whichever is later; a rate limit only as long as its hint', () => {
    const now = 1_000_000;
    expect(cooldownEndOf({ kind: 'quota_exceeded' }, now)).toBe(now + DEFAULT_QUOTA_COOLDOWN_MS);
    expect(cooldownEndOf({ kind: 'quota_exceeded', retryAfterMs: 47_000 }, now)).toBe(
      now + DEFAULT_QUOTA_COOLDOWN_MS,
    );
    expect(cooldownEndOf({ kind: 'quota_exceeded', retryAfterMs: 3_600_000 }, now)).toBe(now + 3_600_000);
    expect(cooldownEndOf({ kind: 'quota_exceeded' }, now, { quotaCooldownMs: 60_000 })).toBe(now + 60_000);
    expect(cooldownEndOf({ kind: 'rate_limited', retryAfterMs: 2000 }, now)).toBe(now + 2000);
    expect(cooldownEndOf({ kind: 'rate_limited' }, now)).toBeUndefined();
    expect(cooldownEndOf({ kind: 'overloaded', retryAfterMs: 2000 }, now)).toBeUndefined();
  });
});

describe('error codes', () => {
  it('has one code per kind and per timeout phase, and the finer ones, all distinct', () => {
    expect(new Set(OUTLAST_ERROR_CODES).size).toBe(OUTLAST_ERROR_CODES.length);
    expect(OUTLAST_ERROR_CODES).toContain('OUTLAST_QUOTA_EXCEEDED');
    expect(OUTLAST_ERROR_CODES).toContain('OUTLAST_TIMEOUT_FIRST_TOKEN');
    expect(OUTLAST_ERROR_CODES).toContain('OUTLAST_UNTRANSLATABLE');
    expect(new OutlastError({ kind: 'quota_exceeded', message: 'x' }).code).toBe('OUTLAST_QUOTA_EXCEEDED');
    expect(isOutlastErrorCode('OUTLAST_NO_ROUTE')).toBe(true);
    expect(isOutlastErrorCode('OUTLAST_SOMETHING')).toBe(false);
  });
});

describe('upstreamError', () => {
  it('writes every upstream failure in one shape, naming the target once it is known', () => {
    const error = upstreamError(
      { status: 529, providerType: 'overloaded_error', providerMessage: 'Overloaded' },
      { overloaded_error: 'overloaded' },
    );
    expect([error.kind, error.message]).toEqual([
      'overloaded',
      'upstream answered 529 overloaded_error: Overloaded',
    ]);
    const placed = withUpstreamFacts(error, {
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      retryAfterMs: 2000,
      requestId: 'req_1',
    });
    expect(placed.message).toBe(
      'upstream anthropic/claude-sonnet-4-5 answered 529 overloaded_error: Overloaded',
    );
    expect([placed.kind, placed.retryAfterMs, placed.requestId, placed.providerType]).toEqual([
      'overloaded',
      2000,
      'req_1',
      'overloaded_error',
    ]);
    const inBand = upstreamError({
      providerType: 'server_error',
      providerMessage: 'boom',
      provider: 'openai',
    });
    expect(inBand.message).toBe('upstream openai stream failed with server_error: boom');
    expect(withUpstreamFacts(error, { retryable: false }).retryable).toBe(false);
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
