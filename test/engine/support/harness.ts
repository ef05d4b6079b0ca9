/** Starts the mock provider and builds engines/clients pointed at it, for integration tests. */

import { createEngine, type Engine, type EngineOptions } from '../../../src/engine/index.ts';
import {
  type MockLogEntry,
  type MockProvider,
  type ScenarioInput,
  startMockProvider,
} from '../../../src/testing/index.ts';

export const TEST_KEYS = {
  anthropic: 'sk-ant-test-key-0123456789',
  openai: 'sk-test-key-0123456789',
  gemini: 'AIzaTestKey0123456789abcdefghij',
};

export function providersFor(mock: MockProvider) {
  return {
    anthropic: { type: 'anthropic' as const, baseURL: mock.baseURLs.anthropic, apiKey: TEST_KEYS.anthropic },
    openai: { type: 'openai' as const, baseURL: mock.baseURLs.openai, apiKey: TEST_KEYS.openai },
    gemini: { type: 'gemini' as const, baseURL: mock.baseURLs.gemini, apiKey: TEST_KEYS.gemini },
  };
}

/** Small budgets so that a whole suite of faults runs in seconds. */
export const FAST = {
  retry: { baseMs: 20, capMs: 80 },
  timeout: { connect: 400, headers: 400, firstToken: 250, idle: 250, total: 4000, deadline: 6000 },
} satisfies Partial<EngineOptions>;

export async function startMock(scenario: ScenarioInput = {}): Promise<MockProvider> {
  return startMockProvider({ scenario: scenario as never, seed: 7 });
}

export function engineFor(
  mock: MockProvider,
  options: Partial<EngineOptions> & Pick<EngineOptions, 'routes'>,
): Engine {
  return createEngine({ providers: providersFor(mock), ...FAST, ...options });
}

/** How many requests each model saw, in order of first appearance. */
export function attemptsByModel(log: readonly MockLogEntry[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of log) if (entry.model) out[entry.model] = (out[entry.model] ?? 0) + 1;
  return out;
}

/** Milliseconds between consecutive requests to one model. */
export function gapsFor(log: readonly MockLogEntry[], model: string): number[] {
  const times = log.filter((e) => e.model === model).map((e) => e.elapsedMs);
  return times.slice(1).map((t, i) => t - times[i]!);
}
