/**
 * Same-run A/B of gateway builds or settings: every variant runs in its own child process in
 * front of the same mock, and load rounds alternate between them (A B C, then C B A, …) so
 * drift on a shared machine falls on all alike. The figure of merit is CPU time per completed
 * request (the gateway process's own, from /proc): unlike throughput it barely depends on how
 * the cores were shared. Each variant is compared with the first by the ratio of paired rounds
 * (round i of B over round i of A), reported as a median with its spread, so the noise shows.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { OVERHEAD_MODELS } from '../overhead/scenario.ts';
import { chatBody } from './chat-probe.ts';
import type { Service } from './child.ts';
import { runLoad } from './load.ts';
import { machineInfo, resultsDir } from './results.ts';
import { median } from './stats.ts';

export interface AbVariant {
  /** Row label, e.g. `(a) before the split`. */
  label: string;
  start(): Promise<Service>;
}

export interface AbOptions {
  variants: readonly AbVariant[];
  mock: Service;
  /** Route or model the gateways serve. */
  model: string;
  rounds: number;
  durationS: number;
  connections: number;
  modes: ReadonlyArray<'non-stream' | 'stream'>;
  maxTokens: number;
}

export interface AbRound {
  okPerSec: number;
  cpuUsPerReq: number;
  mockCpuUsPerReq: number;
  errors: number;
}

export interface AbRow {
  label: string;
  mode: 'non-stream' | 'stream';
  rounds: AbRound[];
  medianCpuUsPerReq: number;
  medianOkPerSec: number;
  /** Against the first variant, paired by round: median and range of the per-round ratios. */
  cpuRatio?: { median: number; min: number; max: number };
  throughputRatio?: { median: number; min: number; max: number };
}

const ratioSummary = (a: readonly number[], b: readonly number[]) => {
  const ratios = b.map((v, i) => v / (a[i] ?? Number.NaN)).filter(Number.isFinite);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
};

export async function runAb(options: AbOptions): Promise<AbRow[]> {
  const services: Service[] = [];
  const rows: AbRow[] = [];
  try {
    for (const variant of options.variants) services.push(await variant.start());
    for (const mode of options.modes) {
      const stream = mode === 'stream';
      const body = chatBody(options.model, options.maxTokens, stream);
      const perVariant: AbRound[][] = options.variants.map(() => []);
      // A warm-up request burst each, not counted (JIT, pools).
      for (const service of services)
        await runLoad({
          url: `${service.url}/v1/chat/completions`,
          headers: {},
          body,
          connections: 4,
          durationS: 1,
        });
      for (let round = 0; round < options.rounds; round++) {
        const order = services.map((_, i) => i);
        if (round % 2 === 1) order.reverse();
        for (const i of order) {
          const service = services[i]!;
          const before = await Promise.all([service.cpuMs(), options.mock.cpuMs()]);
          const load = await runLoad({
            url: `${service.url}/v1/chat/completions`,
            headers: {},
            body,
            connections: options.connections,
            durationS: options.durationS,
          });
          const after = await Promise.all([service.cpuMs(), options.mock.cpuMs()]);
          const perReq = (k: 0 | 1) => ((after[k] - before[k]) * 1000) / Math.max(1, load.ok);
          perVariant[i]!.push({
            okPerSec: load.okPerSec,
            cpuUsPerReq: perReq(0),
            mockCpuUsPerReq: perReq(1),
            errors: load.errors + load.non2xx + load.timeouts,
          });
          console.log(
            `  ${mode} round ${round + 1} ${options.variants[i]!.label}: ${load.okPerSec.toFixed(0)} ok/s, ${perReq(0).toFixed(0)} µs CPU/req (non2xx ${load.non2xx}, errors ${load.errors})`,
          );
        }
      }
      const base = perVariant[0]!;
      options.variants.forEach((variant, i) => {
        const rounds = perVariant[i]!;
        rows.push({
          label: variant.label,
          mode,
          rounds,
          medianCpuUsPerReq: median(rounds.map((r) => r.cpuUsPerReq)),
          medianOkPerSec: median(rounds.map((r) => r.okPerSec)),
          ...(i === 0
            ? {}
            : {
                cpuRatio: ratioSummary(
                  base.map((r) => r.cpuUsPerReq),
                  rounds.map((r) => r.cpuUsPerReq),
                ),
                throughputRatio: ratioSummary(
                  base.map((r) => r.okPerSec),
                  rounds.map((r) => r.okPerSec),
                ),
              }),
        });
      });
    }
  } finally {
    await Promise.allSettled(services.map((s) => s.close()));
  }
  return rows;
}

/** The rows as a markdown table. */
export function abTable(rows: readonly AbRow[]): string {
  const fmt = (r?: { median: number; min: number; max: number }) =>
    r ? `${r.median.toFixed(3)} (${r.min.toFixed(3)}–${r.max.toFixed(3)})` : '1';
  const lines = [
    '| mode | variant | CPU µs/req (median) | ok/s (median) | CPU ratio to first (range) | throughput ratio (range) | errors |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows)
    lines.push(
      `| ${row.mode} | ${row.label} | ${row.medianCpuUsPerReq.toFixed(0)} | ${row.medianOkPerSec.toFixed(0)} | ${fmt(row.cpuRatio)} | ${fmt(row.throughputRatio)} | ${row.rounds.reduce((n, r) => n + r.errors, 0)} |`,
    );
  return lines.join('\n');
}

/** bench/results/<suite>.json (BENCH_RESULTS_DIR elsewhere), with the machine and its load. */
export async function writeAbResults(suite: string, data: object): Promise<void> {
  await mkdir(resultsDir, { recursive: true });
  const json = `${JSON.stringify({ suite, date: new Date().toISOString(), machine: machineInfo(), ...data }, null, 2)}\n`;
  await writeFile(`${resultsDir}${suite}.json`, json);
  console.log(`\nwrote ${resultsDir}${suite}.json`);
}

/** The knobs of the A/B suites: BENCH_AB_ROUNDS (6), BENCH_AB_S (3 s a round), BENCH_AB_CONNECTIONS (16). */
const AB_ROUNDS = Number(process.env.BENCH_AB_ROUNDS ?? 6);
const AB_S = Number(process.env.BENCH_AB_S ?? 3);
const AB_CONNECTIONS = Number(process.env.BENCH_AB_CONNECTIONS ?? 16);

/** The gateway config every A/B variant runs: one route, `bench`, to the mock's fast model. */
export function abGatewayConfig(mockUrl: string): object {
  return {
    providers: { mock: { type: 'openai', baseURL: `${mockUrl}/v1`, apiKey: 'bench-upstream-key' } },
    routes: { bench: [`mock/${OVERHEAD_MODELS.fast}`] },
    logging: { level: 'warn' },
  };
}

/** Runs the variants streamed and not with the knobs above, prints the table and writes bench/results/<suite>.json. */
export async function runAbSuite(
  suite: string,
  variants: readonly AbVariant[],
  mock: Service,
  facts: object = {},
): Promise<void> {
  const started = Date.now();
  const rows = await runAb({
    variants,
    mock,
    model: 'bench',
    rounds: AB_ROUNDS,
    durationS: AB_S,
    connections: AB_CONNECTIONS,
    modes: ['non-stream', 'stream'],
    maxTokens: 64,
  });
  console.log(`\n${abTable(rows)}`);
  await writeAbResults(suite, {
    ...facts,
    rounds: AB_ROUNDS,
    durationS: AB_S,
    connections: AB_CONNECTIONS,
    rows,
    seconds: (Date.now() - started) / 1000,
  });
}
