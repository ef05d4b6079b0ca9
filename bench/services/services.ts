/** Starting each system under test as a child process, by name. */
import { fileURLToPath } from 'node:url';
import { readyLine, type Service, spawnService } from '../lib/child.ts';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** `logLimit`: log entries the mock keeps (its default 50,000). */
export function startMockChild(scenario: unknown, seed = 1, logLimit?: number): Promise<Service> {
  return spawnService({
    name: 'mock',
    args: [
      here('./mock-child.ts'),
      '--scenario',
      JSON.stringify(scenario),
      '--seed',
      String(seed),
      ...(logLimit === undefined ? [] : ['--log-limit', String(logLimit)]),
    ],
    readyFromLine: readyLine,
  });
}

export function startReferenceProxyChild(upstream: string): Promise<Service> {
  return spawnService({
    name: 'reference-proxy',
    args: [here('../reference-proxy.ts'), '--upstream', upstream],
    readyFromLine: readyLine,
  });
}

/** `nodeArgs` e.g. `--cpu-prof` for a profiling run; `childArgs` e.g. `--connections-per-origin`. */
export function startGatewayChild(
  config: object,
  nodeArgs: string[] = [],
  childArgs: string[] = [],
): Promise<Service> {
  return spawnService({
    name: 'outlast-gateway',
    args: [...nodeArgs, here('./gateway-child.ts'), '--config', JSON.stringify(config), ...childArgs],
    readyFromLine: readyLine,
  });
}
