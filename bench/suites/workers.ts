/**
 * Workers: `outlast gateway --workers 1` against `--workers 2` in front of the same mock, same
 * run, same load (issue 20: one deployment using every core). Per cell: completed requests per
 * second, latency, and CPU per request summed over every gateway process (the primary and its
 * workers; /proc utime + stime), so what the cluster costs in CPU shows beside what it gains in
 * throughput. On a machine with few cores the mock and autocannon share them with the workers:
 * the ratio is what this machine allows, not what a core each would give. `npm run bench -- workers`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chatBody } from '../lib/chat-probe.ts';
import { procCpuMs, type Service, spawnService } from '../lib/child.ts';
import { type LoadResult, runLoad } from '../lib/load.ts';
import { writeResults } from '../lib/results.ts';
import { barChartSvg } from '../lib/svg.ts';
import { markdownTable } from '../lib/table.ts';
import { OVERHEAD_MODELS, overheadScenario } from '../overhead/scenario.ts';
import { startMockChild } from '../services/services.ts';
import { measureSpread } from '../workers/spread.ts';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const LEVELS = (process.env.BENCH_LEVELS ?? '16,64').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1,2').split(',').map(Number);
const MAX_TOKENS = 64;
const STREAM_MAX_TOKENS = 128;
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

type Mode = 'non-stream' | 'stream';
interface Cell {
  workers: number;
  mode: Mode;
  connections: number;
  /** The best round (highest ok/s), with CPU per request over every gateway process. */
  load?: LoadResult & { gatewayUsPerReq: number; primaryUsPerReq: number; mockUsPerReq: number };
  rounds: number[];
}

interface Cluster {
  service: Service;
  /** The primary and its workers (one process with --workers 1). */
  pids: number[];
}

async function startCluster(configPath: string, workers: number): Promise<Cluster> {
  const service = await spawnService({
    name: `outlast --workers ${workers}`,
    args: [CLI, 'gateway', '--config', configPath, '--port', '0', '--workers', String(workers)],
    readyFromLine: (line) => /listening on (http:\/\/\S+)/.exec(line)?.[1],
  });
  if (workers === 1) return { service, pids: [service.pid] };
  const status = (await (await fetch(`${service.url}/status`)).json()) as {
    cluster?: { workers: Array<{ pid: number }> };
  };
  const pids = status.cluster?.workers.map((w) => w.pid) ?? [];
  if (pids.length !== workers) throw new Error(`--workers ${workers}: /status lists ${pids.length} workers`);
  return { service, pids: [service.pid, ...pids] };
}

const cpuOf = async (pids: number[]) => (await Promise.all(pids.map(procCpuMs))).reduce((a, b) => a + b, 0);

export async function run(): Promise<void> {
  const load1Before = loadavg()[0] ?? 0;
  const mock = await startMockChild(overheadScenario());
  const dir = mkdtempSync(join(tmpdir(), 'outlast-bench-workers-'));
  const configPath = join(dir, 'outlast.yaml');
  // JSON is YAML. The overhead suite's gateway (c), defaults, as a file for the CLI.
  const config = {
    providers: { mock: { type: 'openai', baseURL: `${mock.url}/v1`, apiKey: 'bench-upstream-key' } },
    routes: { bench: [`mock/${OVERHEAD_MODELS.fast}`] },
    logging: { level: 'warn' },
  };
  writeFileSync(configPath, JSON.stringify(config));
  const clusters = new Map<number, Cluster>();
  const cells: Cell[] = [];
  try {
    for (const n of WORKER_COUNTS) clusters.set(n, await startCluster(configPath, n));
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of ['non-stream', 'stream'] as const) {
        for (const connections of LEVELS) {
          // Interleaved: drift on the shared machine hits both alike.
          for (const [workers, cluster] of clusters) {
            let cell = cells.find(
              (c) => c.workers === workers && c.mode === mode && c.connections === connections,
            );
            if (!cell) {
              cell = { workers, mode, connections, rounds: [] };
              cells.push(cell);
            }
            const stream = mode === 'stream';
            const before = await Promise.all([
              cpuOf(cluster.pids),
              mock.cpuMs(),
              procCpuMs(cluster.pids[0] ?? 0),
            ]);
            const load = await runLoad({
              url: `${cluster.service.url}/v1/chat/completions`,
              headers: {},
              body: chatBody('bench', stream ? STREAM_MAX_TOKENS : MAX_TOKENS, stream),
              connections,
              durationS: DURATION_S,
            });
            const after = await Promise.all([
              cpuOf(cluster.pids),
              mock.cpuMs(),
              procCpuMs(cluster.pids[0] ?? 0),
            ]);
            const perReq = (i: 0 | 1 | 2) =>
              (((after[i] ?? 0) - (before[i] ?? 0)) * 1000) / Math.max(1, load.ok);
            cell.rounds.push(load.okPerSec);
            if (!cell.load || load.okPerSec > cell.load.okPerSec)
              cell.load = {
                ...load,
                gatewayUsPerReq: perReq(0),
                // With one worker the primary is the gateway itself: no separate share.
                primaryUsPerReq: workers === 1 ? 0 : perReq(2),
                mockUsPerReq: perReq(1),
              };
            console.log(
              `  round ${round + 1} ${mode} c=${connections} --workers ${workers}: ${load.okPerSec.toFixed(0)} ok/s p50 ${load.p50} ms p99 ${load.p99} ms, gateway CPU ${perReq(0).toFixed(0)} µs/req (non2xx ${load.non2xx}, errors ${load.errors})`,
            );
          }
        }
      }
    }
  } finally {
    for (const cluster of clusters.values()) await cluster.service.close();
    await mock.close();
  }
  // How fast a breaker or cooldown set in one worker is in another's store (no load running).
  const spread = await measureSpread(Number(process.env.BENCH_SPREAD_SAMPLES ?? 200));
  const load1After = loadavg()[0] ?? 0;

  const base = WORKER_COUNTS[0] ?? 1;
  const rows = cells
    .filter((c) => c.load)
    .map((c) => {
      const l = c.load as NonNullable<Cell['load']>;
      const ref = cells.find(
        (r) => r.workers === base && r.mode === c.mode && r.connections === c.connections,
      )?.load;
      return [
        c.mode,
        c.connections,
        c.workers,
        Math.round(l.okPerSec),
        ref ? (l.okPerSec / ref.okPerSec).toFixed(2) : '',
        l.p50,
        l.p99,
        Math.round(l.gatewayUsPerReq),
        ref ? (l.gatewayUsPerReq / ref.gatewayUsPerReq).toFixed(2) : '',
        c.workers === 1 ? '–' : Math.round(l.primaryUsPerReq),
        Math.round(l.mockUsPerReq),
        l.non2xx + l.errors,
      ];
    });
  const table = markdownTable(
    [
      'mode',
      'connections',
      'workers',
      'ok/s (best round)',
      `× ${base} worker`,
      'p50 ms',
      'p99 ms',
      'gateway CPU µs/req (all processes)',
      `CPU × ${base} worker`,
      'of which the primary',
      'mock CPU µs/req',
      'failed',
    ],
    rows,
  );
  const note = `${availableParallelism()} cores; load average (1 min) ${load1Before.toFixed(2)} before the run, ${load1After.toFixed(2)} after; ${DURATION_S} s cells, best of ${ROUNDS} rounds; the mock and autocannon run on the same cores.`;
  const spreadLine = `A cooldown set in one worker's store, until it is in another's (the primary's clock, four IPC hops where a transition takes two; ${spread.samples} one at a time): p50 ${spread.p50Ms.toFixed(2)} ms, p99 ${spread.p99Ms.toFixed(2)} ms, max ${spread.maxMs.toFixed(1)} ms.`;
  console.log(`\n${table}\n\n${note}\n\n${spreadLine}`);
  const panels = (['non-stream', 'stream'] as const).map((mode) => ({
    title: `${mode}: completed requests per second`,
    unit: 'ok/s',
    bars: cells
      .filter((c) => c.mode === mode && c.load)
      .map((c) => ({ label: `c=${c.connections} w=${c.workers}`, value: c.load?.okPerSec ?? 0 })),
  }));
  await writeResults(
    'workers',
    {
      durationS: DURATION_S,
      rounds: ROUNDS,
      load1Before,
      load1After,
      cells,
      table,
      note,
      spread,
      spreadLine,
    },
    barChartSvg('outlast gateway --workers: 1 vs 2', panels, note),
  );
}
