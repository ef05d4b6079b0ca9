import { describe, expect, it } from 'vitest';
import { createRestartPolicy } from './restart-policy.ts';

describe('worker restart policy', () => {
  it('gives up at once when a worker of the first start dies before listening', () => {
    const policy = createRestartPolicy();
    expect(policy.onExit({ slot: 0, startedAt: 0 }, 50)).toMatchObject({ action: 'give_up' });
  });

  it('restarts a worker that died after the start, with a backoff growing while it keeps dying soon', () => {
    const policy = createRestartPolicy({ initialBackoffMs: 100, maxBackoffMs: 1000, stableAfterMs: 10_000 });
    policy.started();
    const delays = [0, 1, 2, 3, 4, 5].map((i) => {
      const decision = policy.onExit({ slot: 1, startedAt: i * 100, readyAt: i * 100 + 10 }, i * 100 + 50);
      return decision.action === 'restart' ? decision.delayMs : -1;
    });
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    // Another slot has its own backoff.
    expect(policy.onExit({ slot: 0, startedAt: 0, readyAt: 10 }, 20)).toEqual({
      action: 'restart',
      delayMs: 100,
    });
  });

  it('resets the backoff once the worker stayed up', () => {
    const policy = createRestartPolicy({ initialBackoffMs: 100, stableAfterMs: 10_000 });
    policy.started();
    policy.onExit({ slot: 0, startedAt: 0, readyAt: 10 }, 20);
    policy.onExit({ slot: 0, startedAt: 200, readyAt: 210 }, 220);
    expect(policy.onExit({ slot: 0, startedAt: 500, readyAt: 510 }, 60_000)).toEqual({
      action: 'restart',
      delayMs: 100,
    });
  });

  it('gives up after maxStartupFailures restarted workers in a row die before listening, not before', () => {
    const policy = createRestartPolicy({ maxStartupFailures: 3 });
    policy.started();
    expect(policy.onExit({ slot: 0, startedAt: 0 }, 1).action).toBe('restart');
    expect(policy.onExit({ slot: 0, startedAt: 2 }, 3).action).toBe('restart');
    // One listened in between: the count starts again.
    policy.onReady();
    expect(policy.onExit({ slot: 1, startedAt: 4 }, 5).action).toBe('restart');
    expect(policy.onExit({ slot: 1, startedAt: 6 }, 7).action).toBe('restart');
    expect(policy.onExit({ slot: 1, startedAt: 8 }, 9)).toEqual({
      action: 'give_up',
      reason: '3 workers in a row failed to start',
    });
  });
});
