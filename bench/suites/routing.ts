/**
 * NOTE for the engineer `groups` (issue 19 A): this suite was created by `hedge` (issue 19 B)
 * before yours landed, as the brief says. Systems ordered / round-robin / latency and the
 * brownout and limiter scenarios are here in a first form; reshape them as you need (your
 * pacing figures, 429s met), keep the hedging variants and the `slow10` scenario.
 *
 * Routing compared: one model on two deployments (`east`, `west`: two providers on the same
 * in-process mock), as an ordered chain, a round-robin group and a latency group, each with
 * and without hedging, in three scenarios:
 * - `slow10`: each deployment is slow on 10% of its calls (first token after 2.5 s, drawn per
 *   request from the seed); the tail hedging is meant for;
 * - `brownout`: `east` gives its first token after 2.5 s from 1 s to 6 s into each run (a run of healthy calls takes ~4 s);
 * - `limiter`: `east` sits behind a token bucket (capacity 8, 20 requests/s refill) that its
 *   headers report, met by 16 concurrent callers; each system also runs with pacing off;
 * - `herd`: 64 concurrent callers on one target behind a token bucket (capacity 8, 80/s) that
 *   its headers report: the ordered chain with pacing on and off (issue 19's herd).
 * Per cell: calls, failures, p50/p99 of the whole call (client side, ms), upstream attempts per
 * call (the mock's log), hedges started and won, 429s met. `npm run bench -- routing`;
 * `BENCH_ROUTING_CALLS` (default 300), `BENCH_ROUTING_CONCURRENCY` (default 8; limiter 16), `BENCH_ROUTING_SCENARIOS` (a comma list,
 * default all).
 */
import { createEngine, type EngineOptions, type Trace } from '../../src/engine/index.ts';
import { type MockProvider, type ScenarioInput, startMockProvider } from '../../src/testing/index.ts';
import type { CanonicalRequest } from '../../src/wire/canonical/index.ts';
import { writeResults } from '../lib/results.ts';
import { summarize } from '../lib/stats.ts';
import { barChartSvg, type Panel } from '../lib/svg.ts';
import { markdownTable } from '../lib/table.ts';

const CALLS = Number(process.env.BENCH_ROUTING_CALLS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_ROUTING_CONCURRENCY ?? 8);
const SEED = 19;
const ONLY = process.env.BENCH_ROUTING_SCENARIOS?.split(',').map((name) => name.trim());
const EAST = 'gpt-4.1-east';
const WEST = 'gpt-4.1-west';
const SLOW_MS = 2500;
const HEALTHY = { firstTokenMs: 60, tokenMs: 2, answerTokens: 24 };
const HEDGE_FIXED_MS = 300;

type Route = NonNullable<EngineOptions['routes']>[string];
const members = ['east/gpt-4.1-east', 'west/gpt-4.1-west'];

interface System {
  name: string;
  route: Route;
  /** Rate-limit-aware pacing (the engine's default: on). */
  pacing?: boolean;
}

const hedged = (targets: Route & unknown[], hedge: object): Route => ({ targets, hedge }) as unknown as Route;

// The hedge budget is 10% here: the scenarios' slow share is 10%, and the README's default (5%) is the paper's.
const HEDGE_FIXED = { after: HEDGE_FIXED_MS, maxRatio: 0.1 };
const HEDGE_P95 = { after: 'p95', maxRatio: 0.1, fallbackMs: HEDGE_FIXED_MS };

const SYSTEMS: System[] = [
  { name: 'ordered', route: members },
  { name: 'round-robin', route: [{ balance: 'round-robin', targets: members }] },
  { name: 'latency', route: [{ balance: 'latency', targets: members }] },
  { name: `ordered + hedge ${HEDGE_FIXED_MS} ms`, route: hedged(members, HEDGE_FIXED) },
  { name: 'ordered + hedge p95', route: hedged(members, HEDGE_P95) },
  {
    name: `round-robin + hedge ${HEDGE_FIXED_MS} ms`,
    route: hedged([{ balance: 'round-robin', targets: members }], HEDGE_FIXED),
  },
  {
    name: `latency + hedge ${HEDGE_FIXED_MS} ms`,
    route: hedged([{ balance: 'latency', targets: members }], HEDGE_FIXED),
  },
];

interface Scenario {
  name: string;
  concurrency: number;
  mock: ScenarioInput;
  /** The systems this scenario runs (default SYSTEMS). */
  systems?: System[];
}

const unpaced = (systems: System[]): System[] =>
  systems.flatMap((system) => [system, { ...system, name: `${system.name} (pacing off)`, pacing: false }]);
const UNHEDGED = SYSTEMS.filter((system) => !system.name.includes('hedge'));

const slowFirstToken = `slow first=${SLOW_MS}ms`;
const SCENARIOS: Scenario[] = [
  {
    name: 'slow10',
    concurrency: CONCURRENCY,
    mock: {
      models: {
        [EAST]: { ...HEALTHY, faults: [{ fault: slowFirstToken, probability: 0.1 }] },
        [WEST]: { ...HEALTHY, faults: [{ fault: slowFirstToken, probability: 0.1 }] },
      },
    } as ScenarioInput,
  },
  {
    name: 'brownout',
    concurrency: CONCURRENCY,
    mock: {
      models: {
        [EAST]: { ...HEALTHY, faults: [{ fault: slowFirstToken, from: '1s', to: '6s' }] },
        [WEST]: HEALTHY,
      },
    } as ScenarioInput,
  },
  {
    name: 'limiter',
    concurrency: 2 * CONCURRENCY,
    mock: {
      models: { [EAST]: { ...HEALTHY, rateLimit: { capacity: 8, refillPerSecond: 20 } }, [WEST]: HEALTHY },
    } as ScenarioInput,
    systems: [...unpaced(UNHEDGED), ...SYSTEMS.filter((system) => system.name.includes('hedge'))],
  },
  {
    name: 'herd',
    concurrency: 64,
    mock: {
      models: { [EAST]: { ...HEALTHY, rateLimit: { capacity: 8, refillPerSecond: 80 } } },
    } as ScenarioInput,
    systems: unpaced([{ name: 'one target', route: [members[0]!] }]),
  },
].filter((scenario) => !ONLY || ONLY.includes(scenario.name));

interface Cell {
  scenario: string;
  system: string;
  calls: number;
  failed: number;
  p50: number;
  p99: number;
  attemptsPerCall: number;
  hedges: number;
  hedgeWins: number;
  met429: number;
}

const ask = (i: number): CanonicalRequest => ({
  model: 'bench',
  maxTokens: 64,
  stream: true,
  messages: [{ role: 'user', content: [{ type: 'text', text: `routing question ${i}` }] }],
});

async function runCell(mock: MockProvider, scenario: Scenario, system: System): Promise<Cell> {
  mock.setScenario(scenario.mock as never);
  mock.reset();
  const provider = { type: 'openai' as const, baseURL: mock.baseURLs.openai, apiKey: 'sk-bench-0123456789' };
  const engine = createEngine({
    providers: { east: provider, west: provider },
    routes: { bench: system.route },
    ...(system.pacing === undefined ? {} : { pacing: system.pacing }),
    timeout: {
      connect: 2000,
      headers: 5000,
      firstToken: 10_000,
      idle: 5000,
      total: 20_000,
      deadline: 30_000,
    },
  });
  const latencies: number[] = [];
  const traces: Trace[] = [];
  let failed = 0;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < CALLS; i = next++) {
      const started = performance.now();
      const call = engine.execute(ask(i));
      try {
        await call.response();
        latencies.push(performance.now() - started);
      } catch {
        failed++;
      }
      traces.push(await call.trace);
    }
  };
  await Promise.all(Array.from({ length: scenario.concurrency }, worker));
  await engine.close();
  const log = mock.log().filter((e) => e.model === EAST || e.model === WEST);
  const s = summarize(latencies);
  return {
    scenario: scenario.name,
    system: system.name,
    calls: CALLS,
    failed,
    p50: Math.round(s.p50),
    p99: Math.round(s.p99),
    attemptsPerCall: log.length / CALLS,
    hedges: traces.filter((t) => t.hedge).length,
    hedgeWins: traces.filter((t) => t.hedge?.won).length,
    met429: log.filter((e) => e.status === 429).length,
  };
}

export async function run(): Promise<void> {
  const mock = await startMockProvider({ seed: SEED });
  const cells: Cell[] = [];
  try {
    for (const scenario of SCENARIOS) {
      for (const system of scenario.systems ?? SYSTEMS) {
        const cell = await runCell(mock, scenario, system);
        cells.push(cell);
        console.log(
          `${scenario.name.padEnd(9)} ${system.name.padEnd(40)} p50 ${cell.p50} ms, p99 ${cell.p99} ms, ` +
            `${cell.attemptsPerCall.toFixed(3)} attempts/call, ${cell.hedges} hedges (${cell.hedgeWins} won), ` +
            `${cell.met429} 429s, ${cell.failed} failed`,
        );
      }
    }
  } finally {
    await mock.close();
  }
  for (const scenario of SCENARIOS) {
    console.log(`\n### ${scenario.name} (${CALLS} calls, ${scenario.concurrency} concurrent)\n`);
    console.log(
      markdownTable(
        ['system', 'p50 ms', 'p99 ms', 'attempts/call', 'hedges (won)', '429s met', 'failed'],
        cells
          .filter((c) => c.scenario === scenario.name)
          .map((c) => [
            c.system,
            c.p50,
            c.p99,
            c.attemptsPerCall.toFixed(3),
            `${c.hedges} (${c.hedgeWins})`,
            c.met429,
            c.failed,
          ]),
      ),
    );
  }
  const panels: Panel[] = SCENARIOS.map((scenario) => ({
    title: `${scenario.name}: p99 of the whole call`,
    unit: 'ms',
    bars: cells.filter((c) => c.scenario === scenario.name).map((c) => ({ label: c.system, value: c.p99 })),
  }));
  await writeResults(
    'routing',
    {
      settings: { calls: CALLS, concurrency: CONCURRENCY, seed: SEED, slowMs: SLOW_MS, healthy: HEALTHY },
      cells,
    },
    barChartSvg('Routing: ordered, round-robin, latency, with and without hedging', panels),
  );
}
