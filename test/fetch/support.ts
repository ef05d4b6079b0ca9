/** The mock provider and an outlast fetch pointed at it, for the SDK tests. */
import type { EngineOptions } from '../../src/engine/index.ts';
import { createFetch, type FetchOptions, type OutlastFetch } from '../../src/integrations/fetch/index.ts';
import {
  type MockLogEntry,
  type MockProvider,
  type ModelConfigInput,
  startMockProvider,
} from '../../src/testing/index.ts';

export const KEYS = {
  anthropic: 'sk-ant-fetch-test-0123456789',
  openai: 'sk-fetch-test-0123456789',
  gemini: 'AIzaFetchTest0123456789abcdefghij',
};

/**
 * Small budgets so that faults resolve in well under a second. Breakers off: the engine's
 * provider-wide breaker would otherwise carry one test's deliberate outage into the next.
 */
export const FAST = {
  breaker: false,
  retry: { attempts: 2, baseMs: 10, capMs: 40 },
  timeout: { connect: 500, headers: 800, firstToken: 800, idle: 800, total: 8000, deadline: 10_000 },
} satisfies Partial<EngineOptions>;

export function providersFor(mock: MockProvider) {
  return {
    anthropic: { type: 'anthropic' as const, baseURL: mock.baseURLs.anthropic, apiKey: KEYS.anthropic },
    openai: { type: 'openai' as const, baseURL: mock.baseURLs.openai, apiKey: KEYS.openai },
    gemini: { type: 'gemini' as const, baseURL: mock.baseURLs.gemini, apiKey: KEYS.gemini },
  };
}

export interface FetchHarness {
  mock: MockProvider;
  fetch: OutlastFetch;
  warnings: string[];
  close(): Promise<void>;
}

export async function startFetchHarness(
  models: Record<string, ModelConfigInput>,
  options: Partial<FetchOptions> & Pick<FetchOptions, 'routes'>,
): Promise<FetchHarness> {
  const mock = await startMockProvider({ seed: 21, models });
  const warnings: string[] = [];
  const fetch = createFetch({
    providers: providersFor(mock),
    ...FAST,
    warn: (m) => warnings.push(m),
    ...options,
  });
  return {
    mock,
    fetch,
    warnings,
    async close() {
      await fetch.close();
      await mock.close();
    },
  };
}

/** What each request reached, in order: `format model`. */
export function hits(log: readonly MockLogEntry[]): string[] {
  return log.map((e) => `${e.format} ${e.model}`);
}

export { eventually } from '../support/wait-for.ts';
