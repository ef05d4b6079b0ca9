/**
 * Tracing A/B (issue 17: "no spans and no measurable cost when no tracer provider is
 * registered"): the same gateway in front of the same mock, load rounds alternating, (a) as
 * shipped with no tracer provider registered (the tracing code path runs and asks for one
 * non-recording span per call), (b) with src/observe/tracing.ts compiled out (a preload
 * resolves it to a stub that does nothing), and with BENCH_TRACING_SDK=1 (c) an OpenTelemetry
 * SDK provider registered whose spans are dropped (what recording costs, and a check that the
 * A/B can see a cost at all). CPU per request of the gateway process, ratios to (a) by paired
 * round. `npm run bench -- tracing`; knobs BENCH_AB_ROUNDS (6), BENCH_AB_S (3 s a round),
 * BENCH_AB_CONNECTIONS (16).
 */
import { fileURLToPath } from 'node:url';
import { type AbVariant, abGatewayConfig, runAbSuite } from '../lib/ab.ts';
import { readyLine, spawnService } from '../lib/child.ts';
import { overheadScenario } from '../overhead/scenario.ts';
import { startMockChild } from '../services/services.ts';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

const gateway = (mockUrl: string, preload?: string) => () =>
  spawnService({
    name: 'outlast-gateway',
    args: [
      ...(preload ? ['--import', here(preload)] : []),
      here('../services/gateway-child.ts'),
      '--config',
      JSON.stringify(abGatewayConfig(mockUrl)),
    ],
    readyFromLine: readyLine,
  });

export async function run(): Promise<void> {
  const mock = await startMockChild(overheadScenario());
  try {
    const variants: AbVariant[] = [
      { label: '(a) tracing code, no provider', start: gateway(mock.url) },
      { label: '(b) tracing compiled out', start: gateway(mock.url, '../services/no-tracing.ts') },
      ...(process.env.BENCH_TRACING_SDK === '1'
        ? [{ label: '(c) SDK provider, spans dropped', start: gateway(mock.url, '../services/otel-sdk.ts') }]
        : []),
    ];
    await runAbSuite('tracing', variants, mock);
  } finally {
    await mock.close();
  }
}
