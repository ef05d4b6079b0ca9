/**
 * The fault soak (issue 13): the same closed-loop load, with the same seeded faults, through
 * (a) the outlast gateway with its defaults, (b) with breakers and the retry budget off, and
 * (c) the guide's retry-and-fall-back loop, one after the other, each against a fresh mock in
 * its own process. Every answer is checked byte for byte against the mock's fault-free answer.
 *
 * `npm run bench -- soak [--duration=300] [--concurrency=32] [--systems=outlast,guide-loop] [--faults=none]`
 * (or BENCH_FAULT_SOAK_S, BENCH_FAULT_SOAK_CONCURRENCY). Duration is per system, seconds.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { MockLogEntry } from '../../src/testing/index.ts';
import { machineInfo, writeResults } from '../lib/results.ts';
import { percentile } from '../lib/stats.ts';
import { barChartSvg } from '../lib/svg.ts';
import { markdownTable } from '../lib/table.ts';
import { startMockChild } from '../services/services.ts';
import { faultName, fetchMockLog, mockLine, readTrace, type TraceLine } from '../soak/evidence.ts';
import { MAX_TOKENS } from '../soak/requests.ts';
import { CALL_DEADLINE_MS, type CallRecord, type LoadRun, runLoad } from '../soak/run-load.ts';
import {
  CONTINUATION_BEHAVIOUR,
  CONTINUATION_MIX,
  type FaultLevel,
  FIRST_ATTEMPT_MIX,
  failingShare,
  MODELS,
  parseOutage,
  ROUTE_ORDER,
  SEED,
  soakScenario,
} from '../soak/scenario.ts';
import { SOAK_SYSTEMS, type SoakSystemSpec } from '../soak/systems.ts';

interface SystemOutcome {
  key: string;
  label: string;
  config: string;
  run?: LoadRun;
  startError?: string;
  mock: {
    attempts: number;
    dropped: number;
    faulted: number;
    firstAttempts: number;
    firstFaulted: number;
    byFault: Record<string, number>;
    continuations: number;
    behaviours: Record<string, number>;
  };
  anomalies: Anomaly[];
  summary?: Summary;
}

interface Anomaly {
  index: number;
  verdict: string;
  request: string;
  requestId: string | undefined;
  detail: string | undefined;
  trace: string[];
  mockLines: string[];
  evidence: CallRecord['evidence'];
}

interface Summary {
  calls: number;
  complete: number;
  typedError: number;
  untypedFailure: number;
  altered: number;
  failedRate: number;
  p50: number;
  p99: number;
  p50Complete: number;
  p99Complete: number;
  attemptsPerCall: number;
  mockAttemptsPerCall: number;
  callsPerSecond: number;
}

function options() {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a.startsWith('--')),
    options: {
      duration: { type: 'string' },
      concurrency: { type: 'string' },
      systems: { type: 'string' },
      faults: { type: 'string' },
      outage: { type: 'string' },
      'outage-window': { type: 'string' },
    },
    strict: false,
  });
  const durationS = Number(values.duration ?? process.env.BENCH_FAULT_SOAK_S ?? 300);
  const concurrency = Number(values.concurrency ?? process.env.BENCH_FAULT_SOAK_CONCURRENCY ?? 32);
  if (!(durationS > 0) || !(concurrency >= 1))
    throw new Error(`soak: bad --duration=${values.duration} or --concurrency=${values.concurrency}`);
  const wanted = typeof values.systems === 'string' ? values.systems.split(',') : undefined;
  const unknown = wanted?.filter((k) => !SOAK_SYSTEMS.some((s) => s.key === k)) ?? [];
  if (unknown.length > 0)
    throw new Error(
      `soak: unknown system(s) ${unknown.join(', ')}; known: ${SOAK_SYSTEMS.map((s) => s.key).join(', ')}`,
    );
  const systems = wanted ? SOAK_SYSTEMS.filter((s) => wanted.includes(s.key)) : SOAK_SYSTEMS;
  const faults: FaultLevel = values.faults === 'none' ? 'none' : 'all';
  const outage =
    faults === 'none'
      ? undefined
      : parseOutage(values.outage as string | undefined, values['outage-window'] as string | undefined);
  return { durationS, concurrency, systems, faults, outage };
}

const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(2)}%` : undefined);
const sec = (ms: number) => (Number.isFinite(ms) ? Number((ms / 1000).toFixed(2)) : undefined);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

function summarize(run: LoadRun, mockAttempts: number): Summary {
  const n = run.calls.length;
  const count = (v: string) => run.calls.filter((c) => c.verdict === v).length;
  const all = sorted(run.calls.map((c) => c.ms));
  const complete = sorted(run.calls.filter((c) => c.verdict === 'complete').map((c) => c.ms));
  const withAttempts = run.calls.filter((c) => c.attempts !== undefined);
  return {
    calls: n,
    complete: count('complete'),
    typedError: count('typed_error'),
    untypedFailure: count('untyped_failure'),
    altered: count('altered'),
    failedRate: n === 0 ? Number.NaN : 1 - count('complete') / n,
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    p50Complete: percentile(complete, 50),
    p99Complete: percentile(complete, 99),
    attemptsPerCall:
      withAttempts.reduce((s, c) => s + (c.attempts ?? 0), 0) / Math.max(1, withAttempts.length),
    mockAttemptsPerCall: mockAttempts / Math.max(1, n),
    callsPerSecond: n / (run.wallMs / 1000),
  };
}

function mockFacts(entries: MockLogEntry[], dropped: number): SystemOutcome['mock'] {
  const attempts = entries.filter((e) => e.model);
  const byFault: Record<string, number> = {};
  const behaviours: Record<string, number> = {};
  const failingFaults = new Set(
    [...FIRST_ATTEMPT_MIX, ...CONTINUATION_MIX].filter((r) => r.fails).map((r) => r.fault),
  );
  let faulted = 0;
  let firstFaulted = 0;
  let continuations = 0;
  for (const e of attempts) {
    const name = (e.continuation ? 'continuation: ' : '') + faultName(e.fault);
    byFault[name] = (byFault[name] ?? 0) + 1;
    const failing = e.fault !== undefined && failingFaults.has(faultName(e.fault));
    if (failing) faulted++;
    if (!e.continuation && failing) firstFaulted++;
    if (e.continuation) {
      continuations++;
      const b = `${e.model?.split('-')[0]} ${e.continuation}: ${e.continuationBehaviour ?? (e.continuationMatched === false ? 'unmatched partial' : 'no answer (fault)')}`;
      behaviours[b] = (behaviours[b] ?? 0) + 1;
    }
  }
  return {
    attempts: attempts.length,
    dropped,
    faulted,
    firstAttempts: attempts.filter((e) => !e.continuation).length,
    firstFaulted,
    byFault,
    continuations,
    behaviours,
  };
}

function traceLines(lines: TraceLine[] | undefined): string[] {
  return (lines ?? []).map((t) =>
    t.end
      ? `call ${t.end}: ${t.attempts} attempts${t.continued ? ', continued' : ''}${t.skips ? `, ${t.skips} skips` : ''}${t.answeredBy ? `, answered by ${t.answeredBy}` : ''}`
      : `attempt ${t.n} ${t.p}/${t.m}${t.c ? ' (continuation)' : ''}: ${t.o}${t.k ? ` ${t.k}` : ''}${t.s ? ` ${t.s}` : ''} in ${t.ms} ms, upstream ${t.u ?? '(no id)'}${t.err ? `: ${t.err}` : ''}`,
  );
}

async function runSystem(spec: SoakSystemSpec, o: ReturnType<typeof options>): Promise<SystemOutcome> {
  const mock = await startMockChild(soakScenario(o.faults), SEED, 500_000);
  const out: SystemOutcome = {
    key: spec.key,
    label: spec.label,
    config: spec.config,
    mock: mockFacts([], 0),
    anomalies: [],
  };
  let system: Awaited<ReturnType<SoakSystemSpec['start']>> | undefined;
  try {
    system = await spec.start(mock.url);
    await fetch(`${mock.url}/_mock/reset`, { method: 'POST' });
    const t = Date.now();
    const setScenario = (scenario: Record<string, unknown>) =>
      fetch(`${mock.url}/_mock/scenario`, { method: 'POST', body: JSON.stringify(scenario) }).then((r) => {
        if (!r.ok) throw new Error(`soak: the mock refused the outage scenario: ${r.status}`);
      });
    const { outage } = o;
    const timers = outage
      ? [
          setTimeout(
            () => void setScenario(soakScenario(o.faults, outage)),
            outage.from * o.durationS * 1000,
          ),
          setTimeout(() => void setScenario(soakScenario(o.faults)), outage.to * o.durationS * 1000),
        ]
      : [];
    const run = await runLoad(system, {
      concurrency: o.concurrency,
      durationMs: o.durationS * 1000,
      onProgress: (done) =>
        console.log(`    ${spec.key}: ${done} calls after ${((Date.now() - t) / 1000).toFixed(0)} s`),
    });
    for (const timer of timers) clearTimeout(timer);
    const log = await fetchMockLog(mock.url);
    await system.close();
    const trace = await readTrace(system.traceFile);
    out.run = run;
    out.mock = mockFacts(log.entries, log.dropped);
    out.summary = summarize(run, out.mock.attempts);
    const byId = new Map(log.entries.map((e) => [e.requestId, e]));
    for (const c of run.calls) {
      if (c.verdict === 'complete' || out.anomalies.length >= 3000) continue;
      const lines = c.requestId ? trace.get(c.requestId) : undefined;
      const upstreamIds = [
        ...(lines ?? []).flatMap((t) => (t.u ? [t.u] : [])),
        ...((c.evidence?.chain as Array<{ requestId?: string }> | undefined) ?? []).flatMap((a) =>
          a.requestId ? [a.requestId] : [],
        ),
      ];
      out.anomalies.push({
        index: c.index,
        verdict: c.verdict,
        request: `${c.dialect} ${c.stream ? 'stream' : 'json'} ${c.kind}`,
        requestId: c.requestId,
        detail: c.detail,
        trace: traceLines(lines),
        mockLines: upstreamIds.flatMap((id) => {
          const e = byId.get(id);
          return e ? [mockLine(e)] : [`(no mock entry for ${id})`];
        }),
        evidence: c.evidence,
      });
    }
  } catch (err) {
    out.startError = err instanceof Error ? err.message : String(err);
    await system?.close().catch(() => undefined);
  } finally {
    await mock.close();
  }
  return out;
}

function breakdown(calls: CallRecord[]): Array<[string, number, string | undefined]> {
  const groups = new Map<string, CallRecord[]>();
  for (const c of calls) {
    const k = `${c.dialect === 'anthropic' ? '/v1/messages' : '/v1/chat/completions'} ${c.stream ? 'stream' : 'json'} ${c.kind}`;
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  return [...groups.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([k, cs]) => [k, cs.length, pct(1 - cs.filter((c) => c.verdict === 'complete').length / cs.length)]);
}

/** Failure details grouped: request ids, numbers and quoted text removed so causes group. */
function topFailures(calls: CallRecord[], n = 6): string[] {
  const counts = new Map<string, number>();
  for (const c of calls) {
    if (c.verdict === 'complete') continue;
    const key = `${c.verdict}: ${(c.detail ?? '')
      .replace(/\b(req|msg|chatcmpl|toolu|call|olr)[_-][A-Za-z0-9_-]+/g, '$1_…')
      .replace(/"[^"]*"/g, '"…"')
      .replace(/\d+(\.\d+)?/g, 'N')
      .slice(0, 170)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${v}× ${k}`);
}

export async function run(): Promise<void> {
  const o = options();
  const started = new Date();
  const loadStart = os.loadavg();
  console.log(
    `  ${o.systems.length} system(s) × ${o.durationS} s at ${o.concurrency} clients, faults: ${o.faults}${o.outage ? `, outage of ${o.outage.model} (${o.outage.fault}) over ${o.outage.from}-${o.outage.to} of the run` : ''}; load average ${loadStart.map((l) => l.toFixed(1)).join(' ')}`,
  );
  const outcomes: SystemOutcome[] = [];
  for (const spec of o.systems) {
    console.log(`  ${spec.key}…`);
    const r = await runSystem(spec, o);
    outcomes.push(r);
    const s = r.summary;
    console.log(
      s
        ? `  ${spec.key}: ${s.calls} calls, ${pct(s.failedRate)} failed, ${s.altered} altered, ${s.untypedFailure} untyped; load ${r.run?.loadavg.mean.toFixed(1)}`
        : `  ${spec.key}: could not run: ${r.startError}`,
    );
  }

  const rows = outcomes.map((r) => {
    const s = r.summary;
    return [
      r.label,
      s?.calls,
      s ? pct(s.complete / s.calls) : undefined,
      s ? pct(s.typedError / s.calls) : undefined,
      s?.untypedFailure,
      s?.altered,
      s ? pct(s.failedRate) : undefined,
      s ? sec(s.p50) : undefined,
      s ? sec(s.p99) : undefined,
      s ? sec(s.p99Complete) : undefined,
      s ? Number(s.attemptsPerCall.toFixed(2)) : undefined,
      s ? Number(s.mockAttemptsPerCall.toFixed(2)) : undefined,
      r.run ? Number(r.run.loadavg.mean.toFixed(1)) : undefined,
      r.startError,
    ];
  });
  const main = markdownTable(
    [
      'system',
      'calls',
      'complete',
      'typed error',
      'untyped failures',
      'altered',
      'failed calls',
      'p50 s',
      'p99 s',
      'p99 complete s',
      'attempts/call',
      'upstream requests/call',
      'load avg',
      'error',
    ],
    rows,
  );
  const mixRows = [
    ...FIRST_ATTEMPT_MIX.map((r) => ['first attempt', r.fault, pct(r.share), r.fails ? 'yes' : 'no', r.note]),
    ...CONTINUATION_MIX.map((r) => ['continuation', r.fault, pct(r.share), r.fails ? 'yes' : 'no', r.note]),
  ];
  const mixTable = markdownTable(['on', 'fault', 'share', 'fails the attempt', 'note'], mixRows);
  const behaviourTable = markdownTable(
    ['models', 'prefill', 'continue turn', 'answer already complete'],
    Object.entries(CONTINUATION_BEHAVIOUR).map(([m, b]) => [m, b.prefill, b.continue, b.complete]),
  );
  const observed = markdownTable(
    [
      'system',
      'upstream requests',
      'struck by a failing fault',
      'first attempts struck',
      'continuations',
      'log entries dropped',
    ],
    outcomes.map((r) => [
      r.label,
      r.mock.attempts,
      pct(r.mock.faulted / Math.max(1, r.mock.attempts)),
      pct(r.mock.firstFaulted / Math.max(1, r.mock.firstAttempts)),
      r.mock.continuations,
      r.mock.dropped,
    ]),
  );
  const breakdowns = outcomes
    .filter((r) => r.run)
    .map((r) => `${r.label}:\n\n${markdownTable(['calls', 'n', 'failed'], breakdown(r.run!.calls))}`);
  const failures = outcomes.map(
    (r) =>
      `${r.label}:\n${(r.run ? topFailures(r.run.calls) : []).map((l) => `- ${l}`).join('\n') || '- none'}`,
  );
  const behaviours = outcomes
    .filter((r) => r.mock.continuations > 0)
    .map(
      (r) =>
        `${r.label}: ${Object.entries(r.mock.behaviours)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
    );

  const a = outcomes.find((r) => r.key === 'outlast')?.summary;
  const verdicts: string[] = [];
  for (const r of outcomes) {
    if (r.summary && r.summary.altered > 0)
      verdicts.push(`${r.label}: ${r.summary.altered} altered answer(s) delivered as success (target 0)`);
  }
  if (a) {
    for (const r of outcomes.filter((x) => x.key !== 'outlast' && x.summary)) {
      if (a.failedRate >= r.summary!.failedRate)
        verdicts.push(
          `(a) outlast fails ${pct(a.failedRate)} of calls, not fewer than ${r.label}'s ${pct(r.summary!.failedRate)}`,
        );
    }
  }
  const machine = machineInfo();
  const settings = [
    `Command: \`npm run bench -- soak --duration=${o.durationS} --concurrency=${o.concurrency}${o.faults === 'none' ? ' --faults=none' : ''}${o.outage ? (o.outage.fault === 'hang' && o.outage.from === 0.4 && o.outage.to === 0.6 ? '' : ` --outage=${o.outage.fault} --outage-window=${o.outage.from}-${o.outage.to}`) : ' --outage=none'}\`; ${o.systems.length} system(s), one after the other, ${o.durationS} s each at ${o.concurrency} concurrent clients (closed loop); started ${started.toISOString()}.`,
    `Machine: ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}; load average at the start ${loadStart.map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min), per system's run in the table (mean of samples every 5 s); shared with other engineers' work.`,
    `Route \`soak\`: ${ROUTE_ORDER.map((f) => `${f}/${MODELS[f]}`).join(' → ')}, all three on one mock (its own process, seed ${SEED}), the same answer text for all three (shared textKey); answers of 40–240 tokens, 30 ms to the first token and 4 ms a token; max_tokens ${MAX_TOKENS}. Calls: half /v1/messages, half /v1/chat/completions, half of each streamed, one in four a forced tool call (after "I'll look that up."). Calls still running at ${CALL_DEADLINE_MS / 1000} s are abandoned (a failure).`,
    `Faults: ${pct(failingShare(FIRST_ATTEMPT_MIX))} of first attempts are meant to fail (the tool-call cuts strike tool answers only), plus slow and stalled answers that fit the budgets; continuations meet their own faults.${o.outage ? ` Outage: from ${o.outage.from * 100}% to ${o.outage.to * 100}% of each system's run (${((o.outage.to - o.outage.from) * o.durationS).toFixed(0)} s), every request to ${o.outage.model}, the route's first target, meets \`${o.outage.fault}\` (\`--outage=none\` for random faults only).` : ''}`,
  ];
  const callLine = (x: Anomaly) =>
    `- call ${x.index} (${x.request}), request id ${x.requestId ?? '–'}: **${x.verdict}**: ${x.detail}\n${[
      ...x.trace.map((t) => `  - gateway: ${t}`),
      ...x.mockLines.map((m) => `  - mock: ${m}`),
    ].join('\n')}`;
  const section = (title: string, list: Anomaly[], limit: number) =>
    list.length === 0
      ? []
      : [
          `#### ${title}: ${list.length}\n\n${list.slice(0, limit).map(callLine).join('\n')}${
            list.length > limit ? `\n- … ${list.length - limit} more in bench/results/soak.json` : ''
          }`,
        ];
  const anomalyText = outcomes.flatMap((r) => {
    const outlast = r.key.startsWith('outlast');
    return [
      ...section(
        `${r.label}, altered`,
        r.anomalies.filter((x) => x.verdict === 'altered'),
        outlast ? 60 : 10,
      ),
      ...section(
        `${r.label}, untyped failures`,
        r.anomalies.filter((x) => x.verdict === 'untyped_failure'),
        outlast ? 60 : 10,
      ),
      // Why outlast failed the calls it failed: the first few typed errors with their attempts.
      ...(outlast
        ? section(
            `${r.label}, typed errors (first shown)`,
            r.anomalies.filter((x) => x.verdict === 'typed_error'),
            12,
          )
        : []),
    ];
  });
  const text = [
    ...settings,
    main,
    "Complete = the text byte for byte, each tool call's name and parsed input, and the stop reason equal to the mock's fault-free answer for the model that answered (`x-outlast-model`). Typed error = the dialect's error status and body, or its in-stream error event, after nothing but a prefix of the answer. Untyped failure = anything else that is not an answer (a cut or unterminated stream, a body that does not parse, a connection error, the deadline). Altered = a success whose content differs from the answer, or wrong text before an error. Failed calls = everything but complete. attempts/call as the system counts them (`x-outlast-attempts`; the loop's own count); upstream requests/call from the mock's log.",
    '#### Fault mix\n\n' + mixTable,
    "Continuations are answered as each model's mix says (drawn per attempt):\n\n" + behaviourTable,
    "Faults as the mock's log recorded them:\n\n" + observed,
    `Continuation answers drawn:\n\n${behaviours.map((b) => `- ${b}`).join('\n') || '- none'}`,
    '#### Failed calls by kind of call\n\n' + breakdowns.join('\n\n'),
    '#### Most common failures\n\n' + failures.join('\n\n'),
    verdicts.length === 0
      ? 'Targets met: 0 altered answers, and outlast with its defaults fails fewer calls than both the loop and itself with breakers off.'
      : `Targets missed:\n${verdicts.map((v) => `- ${v}`).join('\n')}`,
    ...(anomalyText.length > 0 ? ['### Calls that were not complete', ...anomalyText] : []),
  ].join('\n\n');
  console.log(`\n${text}`);
  await writeResults(
    'soak',
    {
      settings: {
        durationS: o.durationS,
        concurrency: o.concurrency,
        faults: o.faults,
        outage: o.outage,
        callDeadlineMs: CALL_DEADLINE_MS,
        loadavgStart: loadStart,
      },
      faultMix: {
        firstAttempt: FIRST_ATTEMPT_MIX,
        continuation: CONTINUATION_MIX,
        continuationBehaviour: CONTINUATION_BEHAVIOUR,
      },
      systems: outcomes.map((r) => ({
        key: r.key,
        label: r.label,
        config: r.config,
        startError: r.startError,
        summary: r.summary,
        loadavg: r.run?.loadavg,
        mock: r.mock,
        breakdown: r.run ? breakdown(r.run.calls) : [],
        topFailures: r.run ? topFailures(r.run.calls, 20) : [],
        notComplete: r.anomalies.slice(0, 3000),
      })),
      verdicts,
      markdown: text,
    },
    barChartSvg(
      'fault soak: failed calls per system',
      [
        {
          title: `failed calls (${o.concurrency} clients, ${o.durationS} s each)`,
          unit: '%',
          bars: outcomes.map((r) => ({
            label: r.label,
            value: r.summary ? r.summary.failedRate * 100 : undefined,
            note: r.summary ? `${r.summary.altered} altered` : 'could not run',
          })),
        },
      ],
      'same calls, same seeded faults',
    ),
  );
}
