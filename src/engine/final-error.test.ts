import { describe, expect, it } from 'vitest';
import { type AttemptRecord, OutlastError } from '../errors/index.ts';
import { buildFinalError, describeSkip } from './final-error.ts';

const at = Date.UTC(2026, 11, 7, 12, 0, 3);

describe('the final error names what was skipped and why', () => {
  it('says since when a breaker refuses and on what evidence', () => {
    const breaker = {
      openedAt: at,
      state: 'open' as const,
      retryAtMs: at + 5000,
      evidence: { reason: 'consecutive_failures' as const, failures: 14, spanMs: 2000 },
    };
    expect(describeSkip({ provider: 'openai', model: 'gpt-4.1', reason: 'breaker_open', breaker })).toBe(
      'breaker open since 12:00:03 UTC, 14 failures in a row over 2.0 s',
    );
    expect(
      describeSkip({ provider: 'openai', model: 'gpt-4.1', reason: 'provider_breaker_open', breaker }),
    ).toBe('provider breaker open since 12:00:03 UTC, 14 failures in a row over 2.0 s');
    expect(describeSkip({ provider: 'openai', model: 'gpt-4.1', reason: 'breaker_open' })).toBe(
      'breaker open',
    );
    expect(
      describeSkip({
        provider: 'openai',
        model: 'gpt-4.1',
        reason: 'cooling_down',
        cooledBy: 'quota_exceeded',
      }),
    ).toBe("cooling down after its account's quota or credit ran out");
  });

  it('puts the skip after the attempts in the message', () => {
    const error = new OutlastError({
      kind: 'overloaded',
      status: 529,
      providerType: 'overloaded_error',
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      message: 'upstream anthropic/claude-sonnet-4-5 answered 529 overloaded_error: Overloaded',
    });
    const attempt: AttemptRecord = {
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      startedAt: at,
      durationMs: 700,
      outcome: 'error',
      errorKind: 'overloaded',
      status: 529,
      waitedMs: 0,
      error,
    };
    const final = buildFinalError({
      attempts: [attempt, { ...attempt, startedAt: at + 1000, waitedMs: 0 }],
      artefacts: new Set(),
      skips: [
        {
          provider: 'openai',
          model: 'gpt-4.1',
          reason: 'breaker_open',
          breaker: {
            openedAt: at,
            state: 'half_open',
            retryAtMs: at + 5000,
            evidence: { reason: 'failure_rate', failures: 14, attempts: 20, calls: 12, spanMs: 2000 },
          },
        },
      ],
    });
    expect(final.message).toBe(
      'upstream anthropic/claude-sonnet-4-5 answered 529 overloaded_error after 2 attempts (1.4 s); ' +
        'skipped openai/gpt-4.1 (breaker open since 12:00:03 UTC (a probe is in flight), 14 of 20 attempts failed over 2.0 s (12 calls))',
    );
  });
});
