import { describe, expect, it } from 'vitest';
import { cellMetrics } from '../../bench/faults/metrics.ts';
import type { CallOutcome } from '../../bench/faults/run-scenario.ts';

const call = (ms: number, over: Partial<CallOutcome> = {}): CallOutcome => ({
  ok: true,
  complete: true,
  ms,
  chars: 100,
  ...over,
});
const attempt = (tokensSent: number) => ({ model: 'primary', path: '/v1/messages', tokensSent });

describe('fault benchmark cell metrics', () => {
  it('counts a truncated answer returned as success as incomplete, and its tokens as wasted', () => {
    const calls = [call(100), call(200), call(300, { complete: false })];
    const log = [attempt(10), attempt(10), attempt(4), { path: '/_mock/health' }];
    const m = cellMetrics({ key: 'x', calls, log }, [10, 10, 10]);
    expect(m.calls).toBe(3);
    expect(m.success).toBe(1);
    expect(m.complete).toBeCloseTo(2 / 3);
    expect(m.p50).toBe(100);
    expect(m.p99).toBe(200);
    expect(m.p99All).toBe(300);
    expect(m.p99ToComplete).toBe(Number.POSITIVE_INFINITY);
    expect(m.attemptsPerCall).toBe(1);
    expect(m.wastedTokens).toBe(4);
    expect(m.topError).toBe('1× answer returned without error but incomplete (truncated)');
  });

  it('groups errors and names the commonest', () => {
    const calls = [
      call(50, { ok: false, complete: false, error: 'HTTP 529' }),
      call(60, { ok: false, complete: false, error: 'HTTP 529' }),
      call(70, { ok: false, complete: false, error: 'timeout' }),
      call(80),
    ];
    const log = [attempt(0), attempt(0), attempt(0), attempt(0), attempt(0), attempt(12)];
    const m = cellMetrics({ key: 'y', calls, log }, [12, 12, 12, 12]);
    expect(m.success).toBe(0.25);
    expect(m.attemptsPerCall).toBe(1.5);
    expect(m.wastedTokens).toBe(0);
    expect(m.topError).toBe('2× HTTP 529');
  });

  it('keeps a system that could not start as a row with its error and no numbers', () => {
    const m = cellMetrics({ key: 'portkey', startError: 'streaming unsupported', calls: [], log: [] }, []);
    expect(m.startError).toBe('streaming unsupported');
    expect(m.success).toBeNaN();
    expect(m.p99).toBeNaN();
  });
});
