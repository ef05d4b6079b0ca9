/** Gateways over the real mock provider for the end-to-end tests. */
import type { EngineOptions, LoggerLike } from '../../src/engine/index.ts';
import type { GatewayConfigInput } from '../../src/gateway/config/index.ts';
import { type Gateway, hashKey, startGatewayWith } from '../../src/gateway/index.ts';
import type { MockProvider, ScenarioInput } from '../../src/testing/index.ts';
import { startMockProvider } from '../../src/testing/index.ts';
import { createTransport } from '../../src/transport/index.ts';
import { isPrefillRejection } from '../../src/wire/anthropic/index.ts';
import { anthropicCodec, codecFor, openaiCodec } from '../../src/wire/index.ts';
import { providersFor } from '../engine/support/harness.ts';

export const GATEWAY_KEY = 'olk_e2e_gateway_key_0123456789';
export const silent = { warn() {}, info() {}, error() {}, debug() {} };

/** Small budgets so that faults resolve in well under a second. */
export const FAST = {
  retry: { attempts: 2, baseMs: 10, capMs: 40 },
  timeout: { connect: 500, headers: 800, firstToken: 800, idle: 800, total: 8000, deadline: 10_000 },
} satisfies Partial<EngineOptions>;

export interface Harness {
  mock: MockProvider;
  gateways: Gateway[];
  start(
    config: Partial<GatewayConfigInput> & Pick<GatewayConfigInput, 'routes'>,
    options?: { logger?: LoggerLike },
  ): Promise<Gateway>;
  close(): Promise<void>;
}

export async function createHarness(scenario: ScenarioInput = {}): Promise<Harness> {
  const mock = await startMockProvider({ scenario: scenario as never, seed: 11 });
  const gateways: Gateway[] = [];
  return {
    mock,
    gateways,
    async start(config, options = {}) {
      const gateway = await startGatewayWith(
        {
          config: {
            providers: providersFor(mock),
            keys: [hashKey(GATEWAY_KEY)],
            ...FAST,
            ...config,
            // No grace for pooled connections at close (each test's close would wait for it).
            server: { drainTimeoutMs: 2000, drainGraceMs: 0, ...config.server },
          },
          port: 0,
          host: '127.0.0.1',
          logger: options.logger ?? silent,
        },
        {
          transport: createTransport(),
          codecFor,
          isPrefillRejection,
          serverCodecs: { anthropic: anthropicCodec, openai: openaiCodec },
        },
      );
      gateways.push(gateway);
      return gateway;
    },
    async close() {
      await Promise.all(gateways.splice(0).map((g) => g.close()));
      await mock.close();
    },
  };
}

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg?: string;
  [field: string]: unknown;
}

/** A logger that keeps every record, for tests that read the log. */
export function captureLogger(): LoggerLike & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const at =
    (level: LogRecord['level']) =>
    (obj: object, msg?: string): void => {
      records.push({ ...(obj as Record<string, unknown>), level, ...(msg === undefined ? {} : { msg }) });
    };
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
