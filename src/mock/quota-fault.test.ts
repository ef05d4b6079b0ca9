/** The mock's `quota` fault: each provider's real shape and status for a spent credit balance or quota. */
import { describe, expect, it } from 'vitest';
import { CODECS } from '../wire/index.ts';
import { formatFault, type HttpFault, parseFaultSpec } from './fault-spec.ts';
import { encodeHttpFault } from './http-errors.ts';

describe('the quota fault', () => {
  const fault = parseFaultSpec('quota').faults[0] as HttpFault;

  it('parses by name and prints back the same', () => {
    expect(fault).toMatchObject({ type: 'http', variant: 'quota' });
    expect(formatFault(fault)).toBe('quota');
    expect(parseFaultSpec('insufficient_quota').faults[0]).toEqual(fault);
  });

  it.each([
    [
      'anthropic',
      400,
      { type: 'error', error: { type: 'invalid_request_error' } },
      /credit balance is too low/,
    ],
    [
      'openai',
      429,
      { error: { type: 'insufficient_quota', code: 'insufficient_quota' } },
      /exceeded your current quota/,
    ],
    ['gemini', 429, { error: { code: 429, status: 'RESOURCE_EXHAUSTED' } }, /exceeded your current quota/],
  ] as const)('%s: %i with the real body, which decodes as quota_exceeded', (format, status, shape, text) => {
    const codec = CODECS[format];
    const wire = encodeHttpFault(fault, { format, codec, model: 'm', requestId: 'req_q', now: 0 });
    expect(wire.status).toBe(status);
    expect(JSON.parse(wire.body)).toMatchObject(shape);
    expect(wire.body).toMatch(text);
    // No retry-after header: a spent quota sends none (Gemini's hint is in the body only).
    expect(Object.keys(wire.headers).some((h) => /^retry-after/i.test(h))).toBe(false);
    const decoded = codec.decodeError(wire.status, wire.headers, wire.body);
    expect([decoded.kind, decoded.retryable, decoded.requestId]).toEqual(['quota_exceeded', false, 'req_q']);
  });

  it('gemini: a per-day QuotaFailure and the RetryInfo seconds real answers carry', () => {
    const wire = encodeHttpFault(fault, {
      format: 'gemini',
      codec: CODECS.gemini,
      model: 'm',
      requestId: 'r',
      now: 0,
    });
    const details = (JSON.parse(wire.body) as { error: { details: Array<Record<string, unknown>> } }).error
      .details;
    expect(details).toEqual([
      expect.objectContaining({
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [expect.objectContaining({ quotaId: 'GenerateRequestsPerDayPerProjectPerModel' })],
      }),
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '47s' },
    ]);
  });
});
