/** Per system × scenario numbers from the calls' outcomes and the mock's log of attempts. */
import { percentile } from '../lib/stats.ts';
import { countAttempts, tokensSent } from './mock-log.ts';
import type { SystemRunResult } from './run-scenario.ts';

export interface CellMetrics {
  key: string;
  calls: number;
  success: number;
  complete: number;
  /** Latency of calls that delivered a complete answer, ms. */
  p50: number;
  p99: number;
  /** Latency to any outcome (answer or error), ms. */
  p99All: number;
  /** p99 time to a complete answer, a call without one counting as never (Infinity). */
  p99ToComplete: number;
  attemptsPerCall: number;
  /** Tokens the provider generated that reached no complete answer. */
  wastedTokens: number;
  topError?: string;
  startError?: string;
}

export function cellMetrics(run: SystemRunResult, tokensPerAnswer: readonly number[]): CellMetrics {
  const n = run.calls.length;
  if (run.startError) {
    return {
      key: run.key,
      calls: 0,
      success: Number.NaN,
      complete: Number.NaN,
      p50: Number.NaN,
      p99: Number.NaN,
      p99All: Number.NaN,
      p99ToComplete: Number.NaN,
      attemptsPerCall: Number.NaN,
      wastedTokens: Number.NaN,
      startError: run.startError,
    };
  }
  const completeMs = run.calls
    .filter((c) => c.complete)
    .map((c) => c.ms)
    .sort((a, b) => a - b);
  const allMs = run.calls.map((c) => c.ms).sort((a, b) => a - b);
  const delivered = run.calls.reduce((sum, c, i) => sum + (c.complete ? (tokensPerAnswer[i] ?? 0) : 0), 0);
  const errors = new Map<string, number>();
  for (const c of run.calls) {
    if (c.error) errors.set(c.error, (errors.get(c.error) ?? 0) + 1);
    else if (!c.complete) {
      const key = 'answer returned without error but incomplete (truncated)';
      errors.set(key, (errors.get(key) ?? 0) + 1);
    }
  }
  const top = [...errors.entries()].sort((a, b) => b[1] - a[1])[0];
  return {
    key: run.key,
    calls: n,
    success: run.calls.filter((c) => c.ok).length / Math.max(1, n),
    complete: completeMs.length / Math.max(1, n),
    p50: percentile(completeMs, 50),
    p99: percentile(completeMs, 99),
    p99All: percentile(allMs, 99),
    p99ToComplete: percentile(
      run.calls.map((c) => (c.complete ? c.ms : Number.POSITIVE_INFINITY)).sort((a, b) => a - b),
      99,
    ),
    attemptsPerCall: countAttempts(run.log) / Math.max(1, n),
    wastedTokens: Math.max(0, tokensSent(run.log) - delivered),
    topError: top ? `${top[1]}× ${top[0]}` : undefined,
  };
}
