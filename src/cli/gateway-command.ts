/** `outlast gateway [--config outlast.yaml] [--port 4000] [--host 127.0.0.1]`; SIGTERM drains, SIGHUP reloads the config. */
import { defineCommand } from 'citty';
import { startGateway } from '../gateway/index.ts';
import { demoBanner, startDemo } from './demo.ts';
import { exitOnError } from './exit-on-error.ts';

function portOf(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port: expected 0-65535, got ${String(value)}`);
  return port;
}

export const gatewayCommand = defineCommand({
  meta: { name: 'gateway', description: 'Run the HTTP gateway (no --config: a demo on the mock provider)' },
  args: {
    config: { type: 'string', alias: 'c', description: 'path to outlast.yaml' },
    port: { type: 'string', alias: 'p', description: 'port (overrides server.port; default 4000, or $PORT)' },
    host: { type: 'string', description: 'host (overrides server.host; default 127.0.0.1)' },
    scenario: { type: 'string', description: 'demo only: the mock scenario (default flaky)' },
  },
  run: ({ args }) =>
    exitOnError(async () => {
      const port = portOf(args.port ?? process.env.PORT);
      const host = typeof args.host === 'string' ? args.host : undefined;
      const common = { ...(port === undefined ? {} : { port }), ...(host ? { host } : {}) };
      let stopMock: (() => Promise<void>) | undefined;
      let gateway: Awaited<ReturnType<typeof startGateway>>;
      if (args.config) {
        gateway = await startGateway({ configPath: args.config, ...common });
        process.stdout.write(`outlast gateway listening on ${gateway.url}\n`);
      } else {
        const scenario = typeof args.scenario === 'string' ? args.scenario : 'flaky';
        const { mock, config } = await startDemo(scenario);
        stopMock = () => mock.close();
        gateway = await startGateway({ config, ...common });
        process.stdout.write(demoBanner(gateway.url, mock.url, scenario));
      }
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) {
          // A second signal: the operator wants out now.
          process.exit(1);
        }
        stopping = true;
        process.stderr.write(`${signal}: draining in-flight calls, then exiting\n`);
        void gateway
          .close()
          .then(() => stopMock?.())
          .then(() => process.exit(0));
      };
      // SIGHUP: read the config file again; a bad one is refused (logged) and the current one stays.
      process.on('SIGHUP', () => {
        if (!args.config) {
          process.stderr.write('SIGHUP: the demo has no config file to reload\n');
          return;
        }
        void gateway.reload();
      });
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    }),
});
