/** `outlast mock --port 4010 --scenario NAME|FILE [--seed N] [--host H]`. */
import { defineCommand } from 'citty';
import { runMockCommand } from '../mock/cli.ts';
import { exitOnError } from './exit-on-error.ts';

function integer(name: string, value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`--${name}: expected an integer, got ${String(value)}`);
  return n;
}

export const mockCommand = defineCommand({
  meta: {
    name: 'mock',
    description: 'Run the fault-injecting mock provider (Anthropic, OpenAI and Gemini formats)',
  },
  args: {
    port: { type: 'string', alias: 'p', description: 'port (default 4010)' },
    host: { type: 'string', description: 'host (default 127.0.0.1)' },
    scenario: {
      type: 'string',
      alias: 's',
      description: 'healthy | flaky | outage | rate-limited | stream-chaos, or a YAML/JSON file',
    },
    seed: { type: 'string', description: 'seed of fault draws and answers' },
  },
  run: ({ args }) =>
    exitOnError(async () => {
      const port = integer('port', args.port);
      const seed = integer('seed', args.seed);
      await runMockCommand({
        ...(port === undefined ? {} : { port }),
        ...(typeof args.host === 'string' ? { host: args.host } : {}),
        ...(typeof args.scenario === 'string' ? { scenario: args.scenario } : {}),
        ...(seed === undefined ? {} : { seed }),
      });
    }),
});
