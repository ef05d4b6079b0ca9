/**
 * `outlast mock --port 4010 --scenario NAME|FILE [--seed N]`: the mock provider as a
 * process. The CLI (src/cli) parses the flags and calls `runMockCommand`; it resolves once
 * the server has stopped on SIGINT or SIGTERM.
 */
import { type MockProvider, startMockProvider } from './start-mock-provider.ts';

export interface MockCommandArgs {
  /** Default 4010. */
  port?: number;
  /** Default 127.0.0.1; `0.0.0.0` to serve other machines (staging). */
  host?: string;
  /** A shipped scenario name or a YAML/JSON file. Default `healthy`. */
  scenario?: string;
  seed?: number;
}

export interface MockCommandIo {
  /** Where the banner goes; default stdout. */
  print?: (line: string) => void;
  /** Resolves when the process should stop; default the first SIGINT or SIGTERM. */
  stopSignal?: Promise<unknown>;
  /** Called with the running mock (tests use it to reach the URL). */
  onStart?: (mock: MockProvider) => void;
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export async function runMockCommand(args: MockCommandArgs = {}, io: MockCommandIo = {}): Promise<void> {
  const print = io.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const mock = await startMockProvider({
    port: args.port ?? 4010,
    host: args.host ?? '127.0.0.1',
    ...(args.scenario === undefined ? {} : { scenario: args.scenario }),
    ...(args.seed === undefined ? {} : { seed: args.seed }),
  });
  const scenario = mock.scenario();
  print(`outlast mock listening on ${mock.url}`);
  print(
    `  scenario: ${scenario.name ?? args.scenario ?? 'custom'}${scenario.description ? ` (${scenario.description})` : ''}`,
  );
  print(
    `  Anthropic: ${mock.baseURLs.anthropic}   OpenAI: ${mock.baseURLs.openai}   Gemini: ${mock.baseURLs.gemini}`,
  );
  print(`  control: ${mock.url}/_mock/log  /_mock/health  POST /_mock/reset  POST /_mock/scenario`);
  io.onStart?.(mock);
  await (io.stopSignal ?? untilSignal());
  await mock.close();
  print('outlast mock stopped');
}
