/**
 * Overhead: what a gateway adds in front of the same mock provider, under the same load, in the
 * same run. Systems: (a) the mock directly, (b) the reference proxy (node:http + undici, no
 * policies: the floor), (c) the outlast gateway, (c′) the same gateway with
 * `stream: { upstream: 'when-streaming' }` (non-streaming calls get one JSON body upstream;
 * non-streaming cells only: its streaming calls are (c)'s), (d) the Portkey gateway from its
 * package. Each system runs in its own child process; autocannon runs here. Ratios are to (b).
 */

import { mkdir, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ChatTarget,
  chatBody,
  closeProbeAgent,
  probeChat,
  sequentialLatency,
} from '../lib/chat-probe.ts';
import { errorLine, type Service } from '../lib/child.ts';
import { type HotSpot, hotAreas, hotSpots, newestProfile } from '../lib/cpu-profile.ts';
import { type LoadResult, runLoad } from '../lib/load.ts';
import { holdOpenStreams, type OpenStreamsResult } from '../lib/open-streams.ts';
import { writeResults } from '../lib/results.ts';
import { addedRatio, ratio } from '../lib/stats.ts';
import { type SteadyRateResult, steadyRate } from '../lib/steady-rate.ts';
import { barChartSvg, type Panel } from '../lib/svg.ts';
import { markdownTable, type Cell as TableCell } from '../lib/table.ts';
import { type LinearityRow, linearityTable, measureLinearity } from '../overhead/linearity.ts';
import { LINEARITY_TOKENS, OVERHEAD_MODELS, overheadScenario, tokenModel } from '../overhead/scenario.ts';
import { runSoak, type SoakResult } from '../overhead/soak.ts';
import { issue20Verdicts } from '../overhead/targets.ts';
import { portkeyForwardHeaders, startPortkey } from '../services/portkey.ts';
import { startGatewayChild, startMockChild, startReferenceProxyChild } from '../services/services.ts';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const LEVELS = (process.env.BENCH_LEVELS ?? '1,16,64').split(',').map(Number);
const STREAMS = Number(process.env.BENCH_OPEN_STREAMS ?? 1000);
const MAX_TOKENS = 64;
const STREAM_MAX_TOKENS = 128;
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 400);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SOAK_ROUNDS = Number(process.env.BENCH_SOAK_ROUNDS ?? 4);
const SOAK_S = Number(process.env.BENCH_SOAK_S ?? 5);
/** Issue 20: the 10,000 open streams measured (0 skips), the steady rate, the linearity table. */
const LARGE_STREAMS = Number(process.env.BENCH_OPEN_STREAMS_LARGE ?? 10_000);
const STEADY_RATE = Number(process.env.BENCH_STEADY_RATE ?? 500);
const STEADY_S = Number(process.env.BENCH_STEADY_S ?? 5);
const LINEARITY = process.env.BENCH_LINEARITY !== '0';
const LINEARITY_CONCURRENCY = (process.env.BENCH_LINEARITY_CONCURRENCY ?? '10,100,1000')
  .split(',')
  .map(Number);
const STEADY_SYSTEMS = ['direct', 'reference', 'outlast', 'outlastJson'] as const;

type SystemKey = 'direct' | 'reference' | 'outlast' | 'outlastJson' | 'portkey' | 'portkey1550';
const LABEL: Record<SystemKey, string> = {
  direct: '(a) mock directly',
  reference: '(b) reference proxy',
  outlast: '(c) outlast gateway',
  outlastJson: '(c′) outlast gateway, JSON upstream',
  portkey: '(d) Portkey gateway',
  portkey1550: '(d′) Portkey, #1550 workaround',
};
const SYSTEMS = ['direct', 'reference', 'outlast', 'outlastJson', 'portkey', 'portkey1550'] as const;
/**
 * Which systems each mode measures: (c′) streams a streaming call upstream exactly as (c) does;
 * (d′) differs from (d) only where (d) cannot run, streaming.
 */
const SYSTEMS_OF: Record<Mode, readonly SystemKey[]> = {
  'non-stream': SYSTEMS.filter((k) => k !== 'portkey1550'),
  stream: SYSTEMS.filter((k) => k !== 'outlastJson'),
};
/** The systems whose memory with many open streams is measured. */
const MEMORY_SYSTEMS = ['reference', 'outlast', 'portkey', 'portkey1550'] as const;
const STREAM_SKIP_NOTE = `${LABEL.outlastJson} is not measured here: a streaming call streams upstream with its option too, so its rows would be (c)'s. ${LABEL.portkey1550} is Portkey started with a preload that re-wraps its upstream fetch responses so their headers are mutable (bench/services/portkey-1550-shim.ts), the workaround for the error (d) gives; it is measured only where (d) cannot run.`;

interface SystemRun {
  key: SystemKey;
  target?: ChatTarget;
  service?: Service;
  /** Why the system has no numbers for a mode (kept as a row). */
  error: { 'non-stream'?: string; stream?: string; start?: string };
}

type Mode = 'non-stream' | 'stream';

/**
 * CPU time per completed request during a load cell (/proc utime + stime): the system's own
 * process, and the mock's. Unlike throughput it does not depend on how the 2 cores were shared
 * between the system, the mock and autocannon, nor on how much more work the mock did for it.
 */
interface CellCpu {
  systemUsPerReq: number;
  mockUsPerReq: number;
}
type CellLoad = LoadResult & { cpu?: CellCpu };

interface Cell {
  system: SystemKey;
  mode: Mode;
  connections: number;
  /** The best round (highest ok/s). */
  load?: CellLoad;
  rounds: CellLoad[];
  error?: string;
}

/** `jsonUpstream`: (c′), non-streaming calls fetched from the upstream as one JSON body. */
export function outlastGatewayConfig(mockUrl: string, jsonUpstream = false): object {
  return {
    providers: { mock: { type: 'openai', baseURL: `${mockUrl}/v1`, apiKey: 'bench-upstream-key' } },
    routes: {
      bench: [`mock/${OVERHEAD_MODELS.fast}`],
      slow: [`mock/${OVERHEAD_MODELS.slow}`],
      [OVERHEAD_MODELS.slowLong]: [`mock/${OVERHEAD_MODELS.slowLong}`],
      // The linearity rows ask for the mock's model names; the gateway serves them as routes.
      ...Object.fromEntries(LINEARITY_TOKENS.map((n) => [tokenModel(n), [`mock/${tokenModel(n)}`]])),
    },
    logging: { level: 'warn' },
    ...(jsonUpstream ? { stream: { upstream: 'when-streaming' } } : {}),
  };
}

/** `streams`: how many streams the system must hold at once, when more than its defaults allow (the 10,000-stream run). */
async function startSystem(
  key: SystemKey,
  mockUrl: string,
  mock: Service,
  streams?: number,
): Promise<SystemRun> {
  const run: SystemRun = { key, error: {} };
  try {
    if (key === 'direct') {
      run.target = {
        name: key,
        url: `${mockUrl}/v1/chat/completions`,
        headers: {},
        model: OVERHEAD_MODELS.fast,
      };
      run.service = mock;
    } else if (key === 'reference') {
      run.service = await startReferenceProxyChild(mockUrl);
      run.target = {
        name: key,
        url: `${run.service.url}/v1/chat/completions`,
        headers: {},
        model: OVERHEAD_MODELS.fast,
      };
    } else if (key === 'outlast' || key === 'outlastJson') {
      const config = outlastGatewayConfig(mockUrl, key === 'outlastJson');
      // Room for every stream: the gateway's in-flight and connection limits (1024 and 4096 by
      // default) and the transport's sockets per upstream origin (1024), raised for this run only.
      run.service =
        streams === undefined
          ? await startGatewayChild(config)
          : await startGatewayChild(
              { ...config, server: { maxInFlight: streams + 64, maxConnections: streams + 64 } },
              [],
              ['--connections-per-origin', String(streams + 64)],
            );
      run.target = { name: key, url: `${run.service.url}/v1/chat/completions`, headers: {}, model: 'bench' };
    } else {
      run.service = await startPortkey({ workaround1550: key === 'portkey1550' });
      run.target = {
        name: key,
        url: `${run.service.url}/v1/chat/completions`,
        headers: portkeyForwardHeaders(`${mockUrl}/v1`),
        model: OVERHEAD_MODELS.fast,
      };
    }
  } catch (err) {
    run.error.start = String(err instanceof Error ? err.message : err);
  }
  return run;
}

function slowTarget(run: SystemRun): ChatTarget | undefined {
  if (!run.target) return undefined;
  return { ...run.target, model: run.key === 'outlast' ? 'slow' : OVERHEAD_MODELS.slow };
}

export async function run(): Promise<void> {
  const started = Date.now();
  const services: Service[] = [];
  const cells: Cell[] = [];
  const probes: Record<string, unknown> = {};
  const sequential: Record<string, unknown> = {};
  const memory: Record<string, OpenStreamsResult | { error: string }> = {};
  const systems: SystemRun[] = [];
  let tokensPerStream = Number.NaN;
  let soak: SoakResult | string = 'not run';
  let profile: Profile | string = 'not run';
  let profileJson: Profile | string = 'not run';
  const steady: Partial<Record<SystemKey, SteadyRateResult | { error: string }>> = {};
  const large: Record<string, OpenStreamsResult | { error: string }> = {};
  let linearity: LinearityRow[] = [];
  // The machine is shared: its load is part of every figure.
  const loads: number[] = [loadavg()[0] ?? Number.NaN];
  const loadSampler = setInterval(() => loads.push(loadavg()[0] ?? Number.NaN), 5000);
  loadSampler.unref();
  try {
    const mock = await startMockChild(overheadScenario());
    services.push(mock);
    for (const key of SYSTEMS) {
      const sys = await startSystem(key, mock.url, mock);
      if (sys.service && sys.service !== mock) services.push(sys.service);
      systems.push(sys);
    }

    // What each system relays: the mock's exact text, streamed and not.
    const direct = systems[0]!;
    const reference: Record<Mode, { text: string; deltas: number } | undefined> = {
      'non-stream': undefined,
      stream: undefined,
    };
    for (const sys of systems) {
      for (const mode of ['non-stream', 'stream'] as const) {
        if (!SYSTEMS_OF[mode].includes(sys.key)) continue;
        if (!sys.target) {
          sys.error[mode] = sys.error.start;
          continue;
        }
        const p = await probeChat(
          sys.target,
          mode === 'stream' ? STREAM_MAX_TOKENS : MAX_TOKENS,
          mode === 'stream',
        );
        probes[`${sys.key}/${mode}`] = p;
        if (p.error) {
          // A gateway's 500 says little: add the line its own log gave for it.
          const logged =
            sys.service && sys.service !== mock ? errorLine(sys.service.output().split('\n')) : '';
          sys.error[mode] = logged ? `${p.error}; its log: ${logged}` : p.error;
        } else if (sys === direct) reference[mode] = p;
        else if (reference[mode] && p.text !== reference[mode]?.text) {
          sys.error[mode] =
            `relayed text differs from the mock's (${p.text.length} vs ${reference[mode]?.text.length} chars)`;
        }
      }
    }
    tokensPerStream = reference.stream?.deltas ?? Number.NaN;

    // Sub-millisecond latency, one request at a time (non-streaming): the added-latency headline.
    for (const sys of systems) {
      if (!SYSTEMS_OF['non-stream'].includes(sys.key) || !sys.target || sys.error['non-stream']) continue;
      sequential[sys.key] = await sequentialLatency(sys.target, MAX_TOKENS, false, SEQUENTIAL, 20_000);
    }

    // Throughput and latency under load, levels interleaved across systems so drift hits all
    // alike; each cell runs ROUNDS times at different moments and keeps its best round (the one
    // least disturbed by whatever else the shared machine was doing).
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of ['non-stream', 'stream'] as const) {
        for (const connections of LEVELS) {
          for (const sys of systems) {
            if (!SYSTEMS_OF[mode].includes(sys.key)) continue;
            let cell = cells.find(
              (c) => c.system === sys.key && c.mode === mode && c.connections === connections,
            );
            if (!cell) {
              cell = { system: sys.key, mode, connections, rounds: [] };
              cells.push(cell);
            }
            if (!sys.target || sys.error[mode]) {
              cell.error = sys.error[mode] ?? 'not started';
              continue;
            }
            const stream = mode === 'stream';
            const cpuBefore = await Promise.all([sys.service?.cpuMs(), mock.cpuMs()]);
            const load: CellLoad = await runLoad({
              url: sys.target.url,
              headers: sys.target.headers,
              body: chatBody(sys.target.model, stream ? STREAM_MAX_TOKENS : MAX_TOKENS, stream),
              connections,
              durationS: DURATION_S,
            });
            const cpuAfter = await Promise.all([sys.service?.cpuMs(), mock.cpuMs()]);
            if (load.ok > 0 && sys.service) {
              const perReq = (i: 0 | 1) =>
                (((cpuAfter[i] ?? Number.NaN) - (cpuBefore[i] ?? Number.NaN)) * 1000) / load.ok;
              // For (a) the system is the mock itself.
              load.cpu = { systemUsPerReq: perReq(0), mockUsPerReq: perReq(1) };
            }
            cell.rounds.push(load);
            if (!cell.load || load.okPerSec > cell.load.okPerSec) cell.load = load;
            console.log(
              `  round ${round + 1} ${mode} c=${connections} ${LABEL[sys.key]}: ${load.okPerSec.toFixed(0)} ok/s p50 ${load.p50} ms p99 ${load.p99} ms (non2xx ${load.non2xx}, errors ${load.errors})`,
            );
          }
        }
      }
    }

    // Added latency at a steady rate (open loop), sub-millisecond timing: issue 20's 500 req/s.
    // ROUNDS rounds interleaved across systems; each keeps its round with the lowest p99 (the
    // least disturbed by the shared machine), as the load cells keep their best.
    for (let round = 0; STEADY_RATE > 0 && round < ROUNDS; round++) {
      for (const sys of systems) {
        if (!(STEADY_SYSTEMS as readonly SystemKey[]).includes(sys.key)) continue;
        if (!sys.target || sys.error['non-stream']) {
          steady[sys.key] = { error: sys.error['non-stream'] ?? 'not started' };
          continue;
        }
        const result = await steadyRate({
          url: sys.target.url,
          headers: sys.target.headers,
          body: chatBody(sys.target.model, MAX_TOKENS, false),
          rate: STEADY_RATE,
          durationS: STEADY_S,
        });
        const kept = steady[sys.key];
        if (!kept || 'error' in kept || result.p99 < kept.p99) steady[sys.key] = result;
        console.log(
          `  round ${round + 1} steady ${STEADY_RATE}/s ${LABEL[sys.key]}: p50 ${result.p50.toFixed(2)} ms p99 ${result.p99.toFixed(2)} ms (sent ${result.sent}, failed ${result.failed})`,
        );
      }
    }

    // Memory: fresh child per gateway, so its peak RSS is that of the open-streams phase only.
    for (const key of MEMORY_SYSTEMS) {
      const sys = await startSystem(key, mock.url, mock);
      if (sys.service) services.push(sys.service);
      const target = slowTarget(sys);
      if (!target || !sys.service) {
        memory[key] = { error: sys.error.start ?? 'not started' };
        continue;
      }
      memory[key] = await holdOpenStreams({
        service: sys.service,
        url: target.url,
        headers: target.headers,
        body: chatBody(target.model, OVERHEAD_MODELS.slowTokens, true),
        count: STREAMS,
        openTimeoutMs: 15_000,
        holdMs: 1500,
      });
      await sys.service.close();
      console.log(`  memory ${LABEL[key]}: ${JSON.stringify(memory[key])}`);
    }

    // Issue 20: many more open streams, measured and reported (each side needs a socket per
    // stream to the client and, for a gateway, one to the mock: the process's file limit shows).
    if (LARGE_STREAMS > 0) {
      for (const key of ['reference', 'outlast'] as const) {
        const sys = await startSystem(key, mock.url, mock, LARGE_STREAMS);
        if (sys.service) services.push(sys.service);
        if (!sys.target || !sys.service) {
          large[key] = { error: sys.error.start ?? 'not started' };
          continue;
        }
        // The gateway serves the mock's model name as a route of the same name.
        large[key] = await holdOpenStreams({
          service: sys.service,
          url: sys.target.url,
          headers: sys.target.headers,
          body: chatBody(OVERHEAD_MODELS.slowLong, OVERHEAD_MODELS.slowLongTokens, true),
          count: LARGE_STREAMS,
          openTimeoutMs: 60_000,
          holdMs: 2000,
          wave: 100,
        });
        await sys.service.close();
        console.log(`  memory (${LARGE_STREAMS} streams) ${LABEL[key]}: ${JSON.stringify(large[key])}`);
      }
    }

    // Issue 20: CPU and memory per call as concurrency and answers grow.
    if (LINEARITY) {
      linearity = await measureLinearity({
        concurrency: LINEARITY_CONCURRENCY,
        tokens: LINEARITY_TOKENS,
        durationS: DURATION_S,
        mock,
        start: async (key) => {
          const sys = await startSystem(key, mock.url, mock);
          if (!sys.service || !sys.target) throw new Error(sys.error.start ?? 'not started');
          const service = sys.service;
          services.push(service);
          return {
            service,
            url: sys.target.url,
            model: (name) =>
              key === 'outlast' && name === OVERHEAD_MODELS.fast
                ? 'bench'
                : key === 'outlast' && name === OVERHEAD_MODELS.slow
                  ? 'slow'
                  : name,
          };
        },
      });
    }

    // Leak check: a fresh gateway under faults, its heap after GC round after round.
    if (SOAK_ROUNDS > 0) {
      soak = await runSoak({ rounds: SOAK_ROUNDS, durationS: SOAK_S, connections: 32 });
      console.log(`  soak: ${JSON.stringify(soak)}`);
    }

    // Where the outlast gateway's time goes: a separate run under --cpu-prof (it slows the
    // process, so it never feeds the numbers above).
    if (process.env.BENCH_PROFILE !== '0') {
      profile = await profileGateway(mock.url);
      profileJson = await profileGateway(mock.url, true);
    }
  } finally {
    clearInterval(loadSampler);
    loads.push(loadavg()[0] ?? Number.NaN);
    await closeProbeAgent();
    await Promise.allSettled(services.reverse().map((s) => s.close()));
  }

  await report({
    cells,
    probes,
    sequential,
    memory,
    soak,
    systems,
    tokensPerStream,
    profile,
    profileJson,
    steady,
    large,
    linearity,
    loads,
    seconds: (Date.now() - started) / 1000,
  });
}

async function profileGateway(mockUrl: string, jsonUpstream = false): Promise<Profile | string> {
  // Outside the repository: a profile is tens of MB and only its summary is kept.
  const dir = join(tmpdir(), `outlast-bench-profiles${jsonUpstream ? '-json' : ''}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  let gateway: Service | undefined;
  try {
    gateway = await startGatewayChild(outlastGatewayConfig(mockUrl, jsonUpstream), [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
    ]);
    await runLoad({
      url: `${gateway.url}/v1/chat/completions`,
      headers: {},
      body: chatBody('bench', MAX_TOKENS, false),
      connections: 16,
      durationS: DURATION_S,
    });
  } catch (err) {
    return `profiling run failed: ${String(err)}`;
  } finally {
    await gateway?.close();
  }
  const file = await newestProfile(dir);
  return file
    ? { functions: await hotSpots(file, 15), areas: await hotAreas(file, 12) }
    : 'no profile written';
}

interface Profile {
  functions: HotSpot[];
  areas: HotSpot[];
}

interface Report {
  cells: Cell[];
  probes: Record<string, unknown>;
  sequential: Record<string, unknown>;
  memory: Record<string, OpenStreamsResult | { error: string }>;
  soak: SoakResult | string;
  systems: SystemRun[];
  tokensPerStream: number;
  profile: Profile | string;
  profileJson: Profile | string;
  steady: Partial<Record<SystemKey, SteadyRateResult | { error: string }>>;
  large: Record<string, OpenStreamsResult | { error: string }>;
  linearity: LinearityRow[];
  /** 1-minute load average at the start, every 5 s, and at the end. */
  loads: number[];
  seconds: number;
}

function report(r: Report): Promise<void> {
  const find = (system: SystemKey, mode: Mode, c: number) =>
    r.cells.find((x) => x.system === system && x.mode === mode && x.connections === c);
  const tables: string[] = [];
  const panels: Panel[] = [];

  const seq = r.sequential as Record<string, { p50: number; p99: number; count: number } | undefined>;
  const base = seq.direct;
  const added = (k: SystemKey, p: 'p50' | 'p99') => {
    const s = seq[k];
    return s && base ? s[p] - base[p] : Number.NaN;
  };
  tables.push(
    `Added latency, one request at a time (non-streaming, ${MAX_TOKENS} tokens; ms over the mock directly; ratio to the reference proxy's added latency):\n\n` +
      markdownTable(
        [
          'system',
          'p50 ms',
          'p99 ms',
          'added p50',
          'added p99',
          'added p50 / ref',
          'added p99 / ref',
          'note',
        ],
        SYSTEMS_OF['non-stream'].map((k) => {
          const s = seq[k];
          return [
            LABEL[k],
            s?.p50,
            s?.p99,
            k === 'direct' ? undefined : added(k, 'p50'),
            k === 'direct' ? undefined : added(k, 'p99'),
            k === 'direct' ? undefined : addedRatio(added(k, 'p50'), added('reference', 'p50')),
            k === 'direct' ? undefined : addedRatio(added(k, 'p99'), added('reference', 'p99')),
            r.systems.find((x) => x.key === k)?.error['non-stream'],
          ];
        }),
      ),
  );
  panels.push({
    title: 'Added latency p50, one request at a time',
    unit: 'ms over the mock',
    bars: (['reference', 'outlast', 'outlastJson', 'portkey'] as const).map((k) => ({
      label: LABEL[k],
      value: added(k, 'p50'),
    })),
  });

  for (const mode of ['non-stream', 'stream'] as const) {
    const rows = [];
    for (const c of LEVELS) {
      const ref = find('reference', mode, c)?.load;
      const direct = find('direct', mode, c)?.load;
      for (const k of SYSTEMS_OF[mode]) {
        const cell = find(k, mode, c);
        const l = cell?.load;
        const tps = l && mode === 'stream' ? l.okPerSec * r.tokensPerStream : undefined;
        rows.push([
          c,
          LABEL[k],
          l?.okPerSec,
          tps,
          l ? ratio(l.okPerSec, ref?.okPerSec) : undefined,
          l?.p50,
          l?.p99,
          l && direct && k !== 'direct' ? l.p50 - direct.p50 : undefined,
          l && direct && k !== 'direct' ? l.p99 - direct.p99 : undefined,
          l && direct && ref && k !== 'direct'
            ? addedRatio(l.p50 - direct.p50, ref.p50 - direct.p50)
            : undefined,
          l && direct && ref && k !== 'direct'
            ? addedRatio(l.p99 - direct.p99, ref.p99 - direct.p99)
            : undefined,
          l ? `${l.non2xx + l.errors}` : undefined,
          cell?.error,
        ]);
      }
    }
    tables.push(
      `${mode === 'stream' ? `Streaming (${r.tokensPerStream} content deltas per answer)` : `Non-streaming (${MAX_TOKENS} max tokens)`}, autocannon ${DURATION_S} s per cell, best of ${ROUNDS} rounds (latency = whole response, ms; autocannon's resolution is 1 ms):\n\n` +
        markdownTable(
          [
            'conns',
            'system',
            'ok req/s',
            'tokens/s',
            'req/s ÷ ref',
            'p50',
            'p99',
            'added p50',
            'added p99',
            'added p50 ÷ ref',
            'added p99 ÷ ref',
            'failed',
            'error',
          ],
          rows,
        ) +
        (mode === 'stream' ? `\n\n${STREAM_SKIP_NOTE}` : ''),
    );
    const top = LEVELS[LEVELS.length - 1] ?? 1;
    panels.push({
      title: `${mode === 'stream' ? 'Streamed tokens' : 'Requests'} per second at ${top} connections`,
      unit: mode === 'stream' ? 'tokens/s' : 'req/s',
      bars: SYSTEMS_OF[mode].map((k) => {
        const cell = find(k, mode, top);
        const v = cell?.load ? cell.load.okPerSec * (mode === 'stream' ? r.tokensPerStream : 1) : undefined;
        return { label: LABEL[k], value: v, note: cell?.error ? 'error' : undefined };
      }),
    });
  }

  const cpuRows: TableCell[][] = [];
  for (const mode of ['non-stream', 'stream'] as const) {
    for (const c of LEVELS) {
      const ref = find('reference', mode, c)?.load?.cpu;
      for (const k of SYSTEMS_OF[mode]) {
        const cpu = find(k, mode, c)?.load?.cpu;
        if (!cpu) continue;
        const own = k === 'direct' ? undefined : cpu.systemUsPerReq;
        cpuRows.push([
          mode,
          c,
          LABEL[k],
          own === undefined ? '–' : Math.round(own),
          own !== undefined && ref ? ratio(own, ref.systemUsPerReq) : undefined,
          Math.round(cpu.mockUsPerReq),
        ]);
      }
    }
  }
  tables.push(
    'CPU time per completed request in the same cells (µs, user + system from /proc over the cell, best round): the ' +
      "system's own process, and the mock's. Independent of how the two cores were shared, so steadier than throughput; " +
      'the mock column shows what each system costs the provider (a stream of 64 events instead of one body):\n\n' +
      markdownTable(['mode', 'conns', 'system', 'system µs/req', 'system ÷ ref', 'mock µs/req'], cpuRows),
  );

  const memRows = MEMORY_SYSTEMS.map((k) => {
    const m = r.memory[k];
    if (!m || 'error' in m) return [LABEL[k], undefined, undefined, undefined, undefined, m?.error];
    return [
      LABEL[k],
      `${m.opened}/${m.requested}`,
      m.rssBeforeMb,
      m.peakRssMb,
      m.peakRssMb - m.rssBeforeMb,
      m.firstError,
    ];
  });
  tables.push(
    `Memory with ${STREAMS} concurrent open streams (child process; peak = VmHWM):\n\n` +
      markdownTable(
        ['system', 'streams open', 'RSS before MB', 'peak RSS MB', 'growth MB', 'error'],
        memRows,
      ),
  );
  panels.push({
    title: `Peak RSS with ${STREAMS} open streams`,
    unit: 'MB',
    bars: MEMORY_SYSTEMS.map((k) => {
      const m = r.memory[k];
      return { label: LABEL[k], value: m && !('error' in m) ? m.peakRssMb : undefined };
    }),
  });

  if (typeof r.soak !== 'string') {
    const soak = r.soak;
    tables.push(
      `Leak check: a fresh outlast gateway (\`--expose-gc\`) under load at 32 connections against a mock whose primary answers 10% 529, 5% 500, 3% 429 \`retry-after: 1\`, 3% resets, 5% streams cut after 8 tokens and 2% silent streams (the fallback 5% 500), ${SOAK_S} s non-streaming then ${SOAK_S} s streaming per round; after each, heap in use after a full GC and what keeps the event loop alive once idle:\n\n` +
        markdownTable(
          ['after', 'requests served', 'answered 2xx', 'heap after GC MB', 'handles once idle'],
          soak.checkpoints.map((c) => [
            c.after,
            c.requests,
            c.ok,
            Number(c.heapUsedMb.toFixed(2)),
            Object.entries(c.resources)
              .map(([type, n]) => `${type} ${n}`)
              .join(', '),
          ]),
        ) +
        `\n\nHeap growth from the first round to the last: ${Number.isFinite(soak.growthKbPer1kRequests) ? `${soak.growthKbPer1kRequests.toFixed(1)} KB per 1,000 requests` : '–'}. ` +
        `The mock received ${soak.upstreamAttempts ?? '–'} requests for the ${soak.checkpoints.at(-1)?.requests ?? '–'} the gateway answered; ` +
        `${soak.faultedShare === undefined || !Number.isFinite(soak.faultedShare) ? '–' : `${Math.round(soak.faultedShare * 100)}%`} of the last ones it logged carried a fault.` +
        (soak.error ? ` Error: ${soak.error}.` : ''),
    );
  }

  for (const [which, profile] of [
    [LABEL.outlast, r.profile],
    [LABEL.outlastJson, r.profileJson],
  ] as const) {
    tables.push(
      typeof profile === 'string'
        ? `CPU profile of ${which}: ${profile}`
        : `Where ${which} spends its CPU (non-streaming, 16 connections, self time, separate --cpu-prof run), by area:\n\n${markdownTable(
            ['self %', 'area'],
            profile.areas.map((h) => [Number(h.selfPct.toFixed(1)), h.frame]),
          )}\n\nand by function:\n\n${markdownTable(
            ['self %', 'function'],
            profile.functions.map((h) => [Number(h.selfPct.toFixed(1)), h.frame]),
          )}`,
    );
  }
  // The issue's targets, checked against this run's numbers: the gateway as shipped (c), and
  // beside it the opt-in JSON upstream (c′).
  const verdicts = (key: 'outlast' | 'outlastJson'): Array<[string | undefined, string]> => {
    const out: Array<[string | undefined, string]> = [];
    const addedVsRef = addedRatio(added(key, 'p50'), added('reference', 'p50'));
    out.push(
      Number.isFinite(addedVsRef)
        ? [
            `${addedVsRef.toFixed(2)}×`,
            addedVsRef <= 1.3 ? 'met' : `missed by ${(addedVsRef / 1.3).toFixed(1)}×`,
          ]
        : [undefined, 'not measured'],
    );
    for (const c of LEVELS) {
      const o = find(key, 'non-stream', c)?.load?.okPerSec;
      const vsRef = ratio(o, find('reference', 'non-stream', c)?.load?.okPerSec);
      const vsPk = ratio(o, find('portkey', 'non-stream', c)?.load?.okPerSec);
      out.push(
        Number.isFinite(vsRef)
          ? [
              `${Math.round(vsRef * 100)}%`,
              vsRef >= 0.7 ? 'met' : `missed: ${Math.round(vsRef * 100)}% of 70%`,
            ]
          : [undefined, 'not measured'],
      );
      out.push(
        Number.isFinite(vsPk)
          ? [`${vsPk.toFixed(2)}×`, vsPk >= 10 ? 'met' : `missed: ${vsPk.toFixed(2)}× of 10×`]
          : [undefined, 'not measured'],
      );
    }
    return out;
  };
  const targetNames = [
    'added latency p50 (one at a time) ≤ 1.3 × reference proxy',
    ...LEVELS.flatMap((c) => [
      `non-streaming throughput at ${c} conns ≥ 70% of reference proxy`,
      `non-streaming throughput at ${c} conns ≥ 10 × Portkey`,
    ]),
  ];
  const shipped = verdicts('outlast');
  const jsonUpstream = verdicts('outlastJson');
  const targetRows = targetNames.map((name, i) => [
    name,
    shipped[i]?.[0],
    shipped[i]?.[1],
    jsonUpstream[i]?.[0],
    jsonUpstream[i]?.[1],
  ]);
  tables.unshift(
    `Targets (this run), for the gateway as shipped (c) and with the opt-in JSON upstream (c′):\n\n${markdownTable(
      ['target', '(c) measured', '(c) verdict', '(c′) measured', '(c′) verdict'],
      targetRows,
    )}`,
  );
  // Issue 20's targets first: what the lead reads.
  const mem = (k: 'reference' | 'outlast') => {
    const m = r.memory[k];
    return m && !('error' in m) ? m.peakRssMb : undefined;
  };
  const largeOf = (k: 'reference' | 'outlast') => {
    const m = r.large[k];
    return m && !('error' in m) ? m : undefined;
  };
  const issue20 = issue20Verdicts({
    levels: LEVELS,
    cpu: (system, mode, c) => find(system, mode, c)?.load?.cpu?.systemUsPerReq,
    okPerSec: (system, mode, c) => find(system, mode, c)?.load?.okPerSec,
    steady: { direct: r.steady.direct, reference: r.steady.reference, outlast: r.steady.outlast },
    peakRssMb: { reference: mem('reference'), outlast: mem('outlast') },
    openStreams: STREAMS,
    ...(LARGE_STREAMS > 0
      ? {
          large: Object.fromEntries(
            (['reference', 'outlast'] as const).flatMap((k) => {
              const m = largeOf(k);
              return m ? [[k, m]] : [];
            }),
          ),
        }
      : {}),
  });
  const finite = r.loads.filter(Number.isFinite);
  const loadLine = `Machine load (1-minute load average, ${machineCpus()} CPUs): ${finite[0]?.toFixed(2) ?? '–'} at the start, ${finite.length ? `${Math.min(...finite).toFixed(2)}–${Math.max(...finite).toFixed(2)}` : '–'} during the run, ${finite.at(-1)?.toFixed(2) ?? '–'} at the end. Every ratio is to the reference proxy measured in the same run; CPU time per request (utime + stime from /proc) depends least on the load.`;
  const steadyRows = STEADY_SYSTEMS.map((k) => {
    const s = r.steady[k];
    if (!s) return [LABEL[k], undefined, undefined, undefined, undefined, undefined, undefined, 'not run'];
    if ('error' in s)
      return [LABEL[k], undefined, undefined, undefined, undefined, undefined, undefined, s.error];
    const d = r.steady.direct;
    const base = d && !('error' in d) ? d : undefined;
    return [
      LABEL[k],
      Math.round(s.achievedRate),
      s.p50,
      s.p99,
      k === 'direct' || !base ? undefined : s.p50 - base.p50,
      k === 'direct' || !base ? undefined : s.p99 - base.p99,
      s.failed,
      s.firstError,
    ];
  });
  tables.unshift(
    `Added latency at a steady ${STEADY_RATE} requests/s (open loop, non-streaming, ${MAX_TOKENS} tokens, ${STEADY_S} s after a 1 s warm-up, best of ${ROUNDS} rounds by p99; ms, timed with performance.now(); added = over the mock directly at the same rate):\n\n` +
      markdownTable(
        ['system', 'req/s sent', 'p50 ms', 'p99 ms', 'added p50', 'added p99', 'failed', 'error'],
        steadyRows,
      ),
  );
  if (r.linearity.length > 0) {
    tables.push(
      `Cost per call as load and answers grow (issue 20): streamed calls; concurrent rows: CPU over ${DURATION_S} s of closed-loop load at that many connections (128-token answers), memory = resident growth ÷ streams held open at once (slow model, fresh process per row); token rows: 16 connections, answers of that many tokens, memory = resident growth during the load ÷ 16:\n\n${linearityTable(r.linearity)}`,
    );
  }
  tables.unshift(
    `Issue 20 targets, the outlast gateway as shipped (defaults: non-streaming calls streamed from the upstream, first-token and idle protection kept) against the reference proxy in the same run:\n\n${loadLine}\n\n${markdownTable(
      ['target', 'measured', 'verdict'],
      issue20,
    )}`,
  );
  const text = tables.join('\n\n');
  console.log(`\n${text}\n\n(suite took ${r.seconds.toFixed(0)} s)`);
  return writeResults(
    'overhead',
    {
      settings: {
        rounds: ROUNDS,
        durationS: DURATION_S,
        levels: LEVELS,
        maxTokens: MAX_TOKENS,
        streamMaxTokens: STREAM_MAX_TOKENS,
        openStreams: STREAMS,
      },
      markdown: text,
      sequential: r.sequential,
      cells: r.cells,
      memory: r.memory,
      soak: r.soak,
      probes: r.probes,
      profile: r.profile,
      profileJson: r.profileJson,
      steady: r.steady,
      largeOpenStreams: r.large,
      linearity: r.linearity,
      loadAverages: r.loads,
      issue20Targets: issue20,
      errors: Object.fromEntries(r.systems.map((s) => [s.key, s.error])),
    },
    barChartSvg(
      'outlast overhead benchmark',
      panels,
      `ratios are to the reference proxy measured in the same run`,
    ),
  );
}

function machineCpus(): number {
  return cpus().length;
}
