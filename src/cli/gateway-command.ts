/**
 * `outlast gateway [--config outlast.yaml] [--port 4000] [--host 127.0.0.1] [--workers N|auto]`;
 * SIGTERM drains, SIGHUP reloads the config. With more than one worker the process is a
 * cluster's primary (gateway/cluster/primary.ts) and the signals reach every worker.
 */
import { defineCommand } from 'citty';
import { type GatewayCluster, startGatewayCluster } from '../gateway/cluster/primary.ts';
import { parseWorkersFlag, resolveWorkers } from '../gateway/cluster/workers-count.ts';
import { type GatewayConfig, loadConfigFile, validateConfig } from '../gateway/config/index.ts';
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

interface Running {
  close(): Promise<unknown>;
  reload(): Promise<unknown>;
  /** A second signal: out now. */
  kill(): void;
}

/** SIGTERM/SIGINT drain (a second one ends at once), SIGHUP reloads (a file config only). */
function handleSignals(running: Running, hasFile: boolean, after: () => Promise<void>, workers: number) {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      running.kill();
      return;
    }
    stopping = true;
    const where = workers > 1 ? ` on all ${workers} workers` : '';
    process.stderr.write(`${signal}: draining in-flight calls${where}, then exiting\n`);
    void running.close().then(after);
  };
  // SIGHUP: read the config file again; a bad one is refused (logged) and the current one stays.
  process.on('SIGHUP', () => {
    if (!hasFile) {
      process.stderr.write('SIGHUP: the demo has no config file to reload\n');
      return;
    }
    void running.reload();
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

export const gatewayCommand = defineCommand({
  meta: { name: 'gateway', description: 'Run the HTTP gateway (no --config: a demo on the mock provider)' },
  args: {
    config: { type: 'string', alias: 'c', description: 'path to outlast.yaml' },
    port: { type: 'string', alias: 'p', description: 'port (overrides server.port; default 4000, or $PORT)' },
    host: { type: 'string', description: 'host (overrides server.host; default 127.0.0.1)' },
    workers: {
      type: 'string',
      alias: 'w',
      description:
        'worker processes on the one port, a number or auto (one per core); overrides server.workers; default 1',
    },
    scenario: { type: 'string', description: 'demo only: the mock scenario (default flaky)' },
  },
  run: ({ args }) =>
    exitOnError(async () => {
      const port = portOf(args.port ?? process.env.PORT);
      const host = typeof args.host === 'string' ? args.host : undefined;
      const flag = parseWorkersFlag(args.workers);
      const common = { ...(port === undefined ? {} : { port }), ...(host ? { host } : {}) };
      const configPath = typeof args.config === 'string' && args.config ? args.config : undefined;

      let stopMock: () => Promise<void> = async () => {};
      let config: GatewayConfig;
      let banner: (url: string) => string;
      if (configPath) {
        // Read here first: a bad file fails now, with its path and problem, before any worker starts.
        config = await loadConfigFile(configPath);
        banner = (url) => `outlast gateway listening on ${url}\n`;
      } else {
        const scenario = typeof args.scenario === 'string' ? args.scenario : 'flaky';
        const demo = await startDemo(scenario);
        stopMock = () => demo.mock.close();
        config = validateConfig(demo.config, '(demo config)');
        banner = (url) => demoBanner(url, demo.mock.url, scenario);
      }
      const workers = resolveWorkers(flag ?? config.server?.workers);

      if (workers === 1) {
        const gateway = await startGateway(configPath ? { configPath, ...common } : { config, ...common });
        process.stdout.write(banner(gateway.url));
        handleSignals(
          { close: () => gateway.close(), reload: () => gateway.reload(), kill: () => process.exit(1) },
          configPath !== undefined,
          async () => {
            await stopMock();
            process.exit(0);
          },
          1,
        );
        return;
      }

      let cluster: GatewayCluster;
      try {
        cluster = await startGatewayCluster({
          workers,
          config,
          ...(configPath ? { configPath } : {}),
          ...common,
        });
      } catch (error) {
        await stopMock();
        throw error;
      }
      process.stdout.write(banner(cluster.url));
      const pids = cluster.workers().map((w) => w.pid);
      process.stdout.write(`outlast gateway: ${workers} workers (pids ${pids.join(', ')})\n`);
      handleSignals(cluster, configPath !== undefined, async () => {}, workers);
      // The cluster ends by close() (0), or by giving up on workers that keep dying (1, with why).
      const { code, reason } = await cluster.done;
      if (reason) process.stderr.write(`outlast: ${reason}\n`);
      await stopMock();
      process.exit(code);
    }),
});
