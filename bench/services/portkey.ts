/**
 * The Portkey gateway, started from its published package (`@portkey-ai/gateway`, its
 * `build/start-server.js` with `--port=N --headless`) in a child process, and the headers that
 * point it at our mock: provider `openai` with `x-portkey-custom-host` = the mock's `/v1` URL
 * (Portkey trusts localhost/127.0.0.1 custom hosts by default), or a config object in
 * `x-portkey-config` for retry and fallback.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, type Service, spawnService } from '../lib/child.ts';

/**
 * `workaround1550`: preload `portkey-1550-shim.ts`, which lets Portkey stream under Node (its
 * issue #1550). Off, Portkey runs exactly as published.
 */
export async function startPortkey(options: { workaround1550?: boolean } = {}): Promise<Service> {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@portkey-ai/gateway/package.json');
  const script = join(dirname(pkg), 'build', 'start-server.js');
  const port = await freePort();
  const shim = fileURLToPath(new URL('./portkey-1550-shim.ts', import.meta.url));
  const service = await spawnService({
    name: options.workaround1550 ? 'portkey-1550-shim' : 'portkey',
    args: [...(options.workaround1550 ? ['--import', shim] : []), script, `--port=${port}`, '--headless'],
    // Portkey's own console noise goes to the child's stdout, which the harness keeps only as a tail.
    pollUrl: `http://127.0.0.1:${port}/`,
    timeoutMs: 30_000,
  });
  return { ...service, url: `http://127.0.0.1:${port}` };
}

/** Plain forwarding to an OpenAI-compatible upstream (the overhead suite). */
export function portkeyForwardHeaders(upstreamV1: string): Record<string, string> {
  return {
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': upstreamV1,
    authorization: 'Bearer bench-key',
  };
}

export interface PortkeyFallbackConfig {
  upstreamV1: string;
  models: readonly string[];
  /** Attempts Portkey makes per target (its `retry.attempts`: retries after the first). */
  retries: number;
  requestTimeoutMs: number;
}

/** Retry on each target, then fall back to the next, as Portkey's docs configure it. */
export function portkeyFallbackHeaders(config: PortkeyFallbackConfig): Record<string, string> {
  const body = {
    strategy: { mode: 'fallback' },
    request_timeout: config.requestTimeoutMs,
    retry: { attempts: config.retries },
    targets: config.models.map((model) => ({
      provider: 'openai',
      api_key: 'bench-key',
      custom_host: config.upstreamV1,
      override_params: { model },
    })),
  };
  return { 'x-portkey-config': JSON.stringify(body), authorization: 'Bearer bench-key' };
}
