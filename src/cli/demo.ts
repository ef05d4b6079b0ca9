/**
 * `outlast gateway` with no config: the mock provider in process with the `flaky` scenario
 * and one route across three mock models in three wire formats, so the whole system can be
 * seen working with no keys and no network.
 */
import type { GatewayConfigInput } from '../gateway/config/index.ts';
import { type MockProvider, startMockProvider } from '../testing/index.ts';

/**
 * The mock takes any key. This one shares no 4-character piece with the providers' or models'
 * names, so the redactor (which masks any fragment of a secret) leaves those readable in the logs.
 */
const DEMO_KEY = 'no-key-needed';

export const DEMO_ROUTE = [
  'mock-anthropic/claude-sonnet-4-5',
  'mock-openai/gpt-4.1',
  'mock-gemini/gemini-2.5-flash',
];

export async function startDemo(
  scenario = 'flaky',
): Promise<{ mock: MockProvider; config: GatewayConfigInput }> {
  const mock = await startMockProvider({ scenario });
  const config: GatewayConfigInput = {
    providers: {
      'mock-anthropic': { type: 'anthropic', baseURL: mock.baseURLs.anthropic, apiKey: DEMO_KEY },
      'mock-openai': { type: 'openai', baseURL: mock.baseURLs.openai, apiKey: DEMO_KEY },
      'mock-gemini': { type: 'gemini', baseURL: mock.baseURLs.gemini, apiKey: DEMO_KEY },
    },
    routes: { default: DEMO_ROUTE },
    logging: { level: 'info' },
  };
  return { mock, config };
}

export function demoBanner(url: string, mockUrl: string, scenario: string): string {
  return [
    '',
    `  outlast gateway (demo) on ${url}`,
    `  upstream: the mock provider on ${mockUrl}, scenario "${scenario}" (faults on purpose)`,
    `  route "default": ${DEMO_ROUTE.join(' -> ')}`,
    '',
    '  try it:',
    `    curl -s ${url}/v1/messages -H 'content-type: application/json' \\`,
    `      -d '{"model":"default","max_tokens":200,"messages":[{"role":"user","content":"Hello"}]}'`,
    `    curl -sN ${url}/v1/chat/completions -H 'content-type: application/json' \\`,
    `      -d '{"model":"default","stream":true,"messages":[{"role":"user","content":"Hello"}]}'`,
    `    curl -s ${url}/status      # breakers, cooldowns, latency per target`,
    `    curl -s ${url}/metrics     # Prometheus`,
    '',
    '  With a config: outlast gateway --config outlast.yaml (see the Gateway section of README.md)',
    '',
  ].join('\n');
}
