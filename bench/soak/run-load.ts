/**
 * Closed-loop load: `concurrency` clients, each starting its next call as soon as the last one
 * ended, for `durationMs`. Calls are numbered from one shared counter, so call i is the same
 * request in every system's run. A call started before the end runs to its outcome (at most
 * the harness deadline). Every answer is judged against the mock's fault-free answer.
 */
import os from 'node:os';
import {
  type ExpectedAnswer,
  expectedAnswer,
  parseScenario,
  type Scenario,
} from '../../src/testing/index.ts';
import { judge, type Verdict } from './check.ts';
import { type SoakRequest, soakRequest } from './requests.ts';
import { expectedScenario, SEED } from './scenario.ts';
import type { SoakSystem } from './systems.ts';

/** A call still running after this is abandoned and counts as a failure (outlast's own default deadline). */
export const CALL_DEADLINE_MS = 60_000;

export interface CallRecord {
  index: number;
  dialect: SoakRequest['dialect'];
  stream: boolean;
  kind: SoakRequest['kind'];
  verdict: Verdict;
  detail?: string;
  startMs: number;
  ms: number;
  attempts: number | undefined;
  model: string;
  requestId: string | undefined;
  /** For a call that was not complete: what came back, to report it (the loop's attempts too). */
  evidence?: { text: string; toolCalls: unknown; stopReason: string | undefined; chain?: unknown };
}

export interface LoadRun {
  calls: CallRecord[];
  wallMs: number;
  /** 1-minute load average, sampled every 5 s during the run. */
  loadavg: { min: number; mean: number; max: number };
}

let parsed: Scenario | undefined;
const expectedCache = new Map<string, ExpectedAnswer>();

export function expectedFor(req: SoakRequest, model: string): ExpectedAnswer {
  const key = `${req.index}/${model}`;
  const hit = expectedCache.get(key);
  if (hit) return hit;
  parsed ??= parseScenario(expectedScenario() as never);
  const answer = expectedAnswer(
    { format: req.dialect, body: { ...req.body, model } },
    { seed: SEED, scenario: parsed },
  );
  if (expectedCache.size > 50_000) expectedCache.clear();
  expectedCache.set(key, answer);
  return answer;
}

export async function runLoad(
  system: SoakSystem,
  options: { concurrency: number; durationMs: number; onProgress?: (done: number) => void },
): Promise<LoadRun> {
  const calls: CallRecord[] = [];
  const started = performance.now();
  const endAt = started + options.durationMs;
  let next = 0;
  const loads: number[] = [os.loadavg()[0] ?? 0];
  const sampler = setInterval(() => loads.push(os.loadavg()[0] ?? 0), 5000);
  const progress = setInterval(() => options.onProgress?.(calls.length), 30_000);
  const client = async () => {
    while (performance.now() < endAt) {
      const req = soakRequest(next++);
      const t0 = performance.now();
      const signal = AbortSignal.timeout(CALL_DEADLINE_MS);
      const result = await system.call(req, signal);
      const ms = performance.now() - t0;
      const judged = judge(req.dialect, result.received, expectedFor(req, result.model));
      const wrong = judged.verdict !== 'complete';
      calls.push({
        index: req.index,
        dialect: req.dialect,
        stream: req.stream,
        kind: req.kind,
        verdict: judged.verdict,
        ...(judged.detail === undefined ? {} : { detail: judged.detail }),
        startMs: t0 - started,
        ms,
        attempts: result.attempts,
        model: result.model,
        requestId: result.requestId,
        ...(wrong
          ? {
              evidence: {
                text: result.received.text,
                toolCalls: result.received.toolCalls,
                stopReason: result.received.stopReason,
                ...(result.chain ? { chain: result.chain } : {}),
              },
            }
          : {}),
      });
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, client));
  } finally {
    clearInterval(sampler);
    clearInterval(progress);
  }
  loads.push(os.loadavg()[0] ?? 0);
  return {
    calls,
    wallMs: performance.now() - started,
    loadavg: {
      min: Math.min(...loads),
      mean: loads.reduce((s, v) => s + v, 0) / loads.length,
      max: Math.max(...loads),
    },
  };
}
