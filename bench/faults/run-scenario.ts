/**
 * Runs one fault scenario through every system at once, each against its own mock: the same
 * seeded faults, the same arrival instants, the same prompts. Returns per-call outcomes and
 * each mock's log.
 */
import type { Answer } from '../baselines/anthropic-stream.ts';
import { BUDGET } from './budget.ts';
import { type MockHandle, startBenchMock } from './mock-handle.ts';
import { type FaultScenario, mockScenario, SEED } from './scenarios.ts';
import type { FaultSystem, SharedChildren, SystemSpec } from './systems.ts';

export interface CallOutcome {
  ok: boolean;
  complete: boolean;
  ms: number;
  chars: number;
  error?: string;
}

export interface SystemRunResult {
  key: string;
  /** Set when the system could not run this scenario at all (kept as a row). */
  startError?: string;
  calls: CallOutcome[];
  log: unknown[];
}

export function promptFor(scenario: string, i: number): string {
  return `Call ${i} of the ${scenario} scenario: explain in a few sentences how a client should handle an overloaded API.`;
}

/** One line per failure class: request ids and other per-call noise removed so failures group. */
function describe(err: unknown): string {
  const clean = (text: string) =>
    text
      .replace(/,?"request_id":"[^"]*"/g, '')
      .replace(/\b(req|msg|chatcmpl)[_-][A-Za-z0-9]+/g, '$1_…')
      .replace(/\s+/g, ' ')
      .slice(0, 200);
  if (err instanceof Error) {
    const status = (err as { status?: unknown }).status;
    const kind = (err as { kind?: unknown }).kind;
    const head = [err.constructor.name, status, kind].filter((x) => x !== undefined && x !== '').join(' ');
    return clean(`${head}: ${err.message}`);
  }
  return clean(String(err));
}

async function oneCall(system: FaultSystem, prompt: string, reference: string): Promise<CallOutcome> {
  const started = performance.now();
  const signal = AbortSignal.timeout(BUDGET.callDeadlineMs);
  try {
    const answer: Answer = await system.ask(prompt, signal);
    const ms = performance.now() - started;
    if (signal.aborted) {
      // Some SDK streams end quietly when aborted: the caller got a cut answer at the deadline.
      return {
        ok: false,
        complete: false,
        ms,
        chars: answer.text.length,
        error: `harness deadline ${BUDGET.callDeadlineMs} ms (the stream ended quietly with ${answer.text.length} chars)`,
      };
    }
    return { ok: true, complete: answer.text === reference, ms, chars: answer.text.length };
  } catch (err) {
    const ms = performance.now() - started;
    return {
      ok: false,
      complete: false,
      ms,
      chars: 0,
      error: signal.aborted
        ? `harness deadline ${BUDGET.callDeadlineMs} ms: ${describe(err)}`
        : describe(err),
    };
  }
}

export async function runScenario(
  scenario: FaultScenario,
  specs: readonly SystemSpec[],
  references: readonly string[],
  shared: SharedChildren,
): Promise<SystemRunResult[]> {
  const mocks: MockHandle[] = [];
  const systems: Array<FaultSystem | { error: string }> = [];
  try {
    for (const spec of specs) {
      const mock = await startBenchMock(mockScenario(scenario), SEED);
      mocks.push(mock);
      try {
        systems.push(await spec.start({ mockUrl: mock.url, ...shared }));
      } catch (err) {
        systems.push({ error: describe(err) });
      }
    }
    // Windows count from each mock's reset: align them all to the first arrival.
    await Promise.all(mocks.map((m) => m.reset()));
    const t0 = performance.now();
    const runs = specs.map(async (spec, s): Promise<SystemRunResult> => {
      const system = systems[s]!;
      if ('error' in system) return { key: spec.key, startError: system.error, calls: [], log: [] };
      const calls = await Promise.all(
        Array.from({ length: scenario.requests }, async (_, i) => {
          const wait = t0 + i * scenario.intervalMs - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          return oneCall(system, promptFor(scenario.name, i), references[i] ?? '');
        }),
      );
      return { key: spec.key, calls, log: [] };
    });
    const results = await Promise.all(runs);
    results.forEach((r, s) => {
      r.log = mocks[s]!.log();
    });
    return results;
  } finally {
    await Promise.allSettled(systems.map((s) => ('error' in s ? undefined : s.close())));
    await Promise.allSettled(mocks.map((m) => m.close()));
  }
}
