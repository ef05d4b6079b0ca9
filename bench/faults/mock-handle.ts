/** The in-process mock provider as the faults suite uses it (one per system per scenario). */
import { type ScenarioInput, startMockProvider } from '../../src/testing/index.ts';

export interface MockHandle {
  url: string;
  log(): unknown[];
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startBenchMock(scenario: unknown, seed: number): Promise<MockHandle> {
  const mock = await startMockProvider({
    port: 0,
    host: '127.0.0.1',
    scenario: scenario as ScenarioInput,
    seed,
  });
  return {
    url: mock.url,
    log: () => mock.log(),
    reset: async () => {
      mock.reset();
    },
    close: () => mock.close(),
  };
}
