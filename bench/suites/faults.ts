/**
 * Resilience under faults: a fixed, seeded set of scenarios on the mock provider, each run
 * through every system with the same budget (two retries, 5 s an attempt, one fallback).
 * Per system × scenario: success rate, complete-answer rate (a truncated answer is a failure),
 * p50/p99 latency of complete answers, upstream attempts per call and tokens spent on attempts
 * that reached no complete answer (both from each system's own mock log).
 */
import { BUDGET } from '../faults/budget.ts';
import { type CellMetrics, cellMetrics } from '../faults/metrics.ts';
import { startBenchMock } from '../faults/mock-handle.ts';
import { promptFor, runScenario } from '../faults/run-scenario.ts';
import { FALLBACK, healthyScenario, PRIMARY, SCENARIOS, SEED } from '../faults/scenarios.ts';
import { SYSTEMS } from '../faults/systems.ts';
import { errorLine, type Service } from '../lib/child.ts';
import { writeResults } from '../lib/results.ts';
import { barChartSvg, type Panel } from '../lib/svg.ts';
import { markdownTable } from '../lib/table.ts';
import { startPortkey } from '../services/portkey.ts';

interface Reference {
  texts: string[];
  tokens: number[];
  notes: string[];
}

interface AnthropicJson {
  content?: Array<{ type: string; text?: string }>;
  usage?: { output_tokens?: number };
}
interface OpenAIJson {
  choices?: Array<{ message?: { content?: string } }>;
  usage?: { completion_tokens?: number };
}

/** The full answers a healthy mock gives for these prompts: what a complete answer must equal. */
async function references(mockUrl: string, scenario: string, count: number): Promise<Reference> {
  const texts: string[] = [];
  const tokens: number[] = [];
  const notes: string[] = [];
  const post = async (path: string, body: object) => {
    const res = await fetch(`${mockUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`reference call failed: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const textOf = (a: AnthropicJson) => (a.content ?? []).map((b) => b.text ?? '').join('');
  for (let i = 0; i < count; i++) {
    const messages = [{ role: 'user', content: promptFor(scenario, i) }];
    const o = (await post('/v1/chat/completions', {
      model: PRIMARY,
      max_tokens: BUDGET.maxTokens,
      messages,
    })) as OpenAIJson;
    texts.push(o.choices?.[0]?.message?.content ?? '');
    tokens.push(o.usage?.completion_tokens ?? 0);
    if (i === 0) {
      // The same answer whatever the format and whichever model (they share a textKey).
      for (const model of [PRIMARY, FALLBACK]) {
        const a = await post('/v1/messages', { model, max_tokens: BUDGET.maxTokens, messages }).catch(
          (err: unknown) => ({ error: String(err) }),
        );
        if ('error' in a) notes.push(`Anthropic-format reference failed: ${a.error}`);
        else if (textOf(a as AnthropicJson) !== texts[0])
          notes.push(`${model} answers differently in the Anthropic format`);
      }
    }
  }
  return { texts, tokens, notes };
}

const pct = (v: number) => (Number.isFinite(v) ? `${Math.round(v * 100)}%` : undefined);
const sec = (ms: number) => (Number.isFinite(ms) ? Number((ms / 1000).toFixed(2)) : undefined);

/**
 * The issue's targets for one scenario: outlast (library and gateway) has at least every
 * baseline's complete-answer rate and no worse p99 time to a complete answer (a call without
 * one counts as never, so two systems that both leave a call unanswered tie at ∞), and where a
 * baseline completes as many, outlast uses fewer upstream attempts.
 */
function verdicts(scenario: string, cells: CellMetrics[]): string[] {
  const out: string[] = [];
  const baselines = cells.filter((c) => !c.key.startsWith('outlast') && !c.startError && c.calls > 0);
  const p99 = (v: number) => (Number.isFinite(v) ? `${sec(v)} s` : '∞');
  for (const key of ['outlast-lib', 'outlast-gw']) {
    const o = cells.find((c) => c.key === key);
    if (!o || o.startError || o.calls === 0) {
      out.push(`${scenario}: ${key} did not run (${o?.startError ?? 'missing'})`);
      continue;
    }
    for (const b of baselines) {
      const problems: string[] = [];
      if (o.complete < b.complete) problems.push(`complete ${pct(o.complete)} < ${pct(b.complete)}`);
      const bothNever = !Number.isFinite(o.p99ToComplete) && !Number.isFinite(b.p99ToComplete);
      if (!bothNever && o.p99ToComplete > b.p99ToComplete) {
        problems.push(`p99 to a complete answer ${p99(o.p99ToComplete)} > ${p99(b.p99ToComplete)}`);
      }
      if (o.complete === b.complete && o.attemptsPerCall >= b.attemptsPerCall) {
        problems.push(
          `same completion but not fewer attempts/call (${o.attemptsPerCall.toFixed(2)} vs ${b.attemptsPerCall.toFixed(2)})`,
        );
      }
      if (problems.length > 0) out.push(`${scenario}: ${key} vs ${b.key}: ${problems.join('; ')}`);
    }
  }
  return out;
}

export async function run(): Promise<void> {
  const started = Date.now();
  const only = process.env.BENCH_SCENARIOS?.split(',');
  const scenarios = only ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS;
  const onlySystems = process.env.BENCH_SYSTEMS?.split(',');
  const systems = onlySystems ? SYSTEMS.filter((s) => onlySystems.includes(s.key)) : SYSTEMS;
  const start = (workaround1550: boolean): Promise<Service | { error: string }> =>
    startPortkey({ workaround1550 }).catch((err: unknown) => ({
      error: `Portkey did not start: ${String(err)}`,
    }));
  const portkey = await start(false);
  const portkeyShim = await start(true);
  const refMock = await startBenchMock(healthyScenario(), SEED);
  const results: Array<{ scenario: string; description: string; cells: CellMetrics[]; notes: string[] }> = [];
  try {
    for (const scenario of scenarios) {
      const t = Date.now();
      const ref = await references(refMock.url, scenario.name, scenario.requests);
      const runs = await runScenario(scenario, systems, ref.texts, {
        portkey,
        portkeyShim,
        warmupMockUrl: refMock.url,
      });
      const cells = runs.map((r) => cellMetrics(r, ref.tokens));
      results.push({ scenario: scenario.name, description: scenario.description, cells, notes: ref.notes });
      console.log(`  ${scenario.name}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
  } finally {
    await refMock.close();
    for (const child of [portkey, portkeyShim]) if (!('error' in child)) await child.close();
  }
  // Portkey answers its failures with a bare 500: its own log says why.
  const portkeyLog = 'error' in portkey ? portkey.error : errorLine(portkey.output().split('\n'));

  const label = (key: string) => systems.find((s) => s.key === key)?.label ?? key;
  const tables: string[] = [];
  const allVerdicts: string[] = [];
  for (const r of results) {
    const rows = r.cells.map((c) => [
      label(c.key),
      pct(c.success),
      pct(c.complete),
      sec(c.p50),
      sec(c.p99),
      sec(c.p99All),
      Number.isFinite(c.attemptsPerCall) ? Number(c.attemptsPerCall.toFixed(2)) : undefined,
      Number.isFinite(c.wastedTokens) ? c.wastedTokens : undefined,
      (c.startError ?? c.topError)?.slice(0, 140),
    ]);
    tables.push(
      `### ${r.scenario}\n${r.description}${r.notes.length ? `\nNote: ${r.notes.join('; ')}` : ''}\n\n` +
        markdownTable(
          [
            'system',
            'success',
            'complete',
            'p50 s',
            'p99 s',
            'p99 all s',
            'attempts/call',
            'wasted tokens',
            'most common failure',
          ],
          rows,
        ),
    );
    allVerdicts.push(...verdicts(r.scenario, r.cells));
  }
  const configRows = systems.map((s) => [s.label, s.config]);
  const text = [
    `Budget: ${BUDGET.retries} retries per model, one fallback model, ${BUDGET.attemptTimeoutMs / 1000} s per attempt, calls cut by the harness at ${BUDGET.callDeadlineMs / 1000} s; ${BUDGET.maxTokens} max tokens, streamed. Latency p50/p99 are of complete answers; "p99 all" of every call to its outcome; the targets compare p99 time to a complete answer, where a call left without one counts as never. Seed ${SEED}.`,
    markdownTable(['system', 'configuration'], configRows),
    ...tables,
    `Portkey's own log for its 500s: ${portkeyLog || '(nothing)'}`,
    !systems.some((s) => !s.key.startsWith('outlast'))
      ? 'Targets: not checked (no baseline ran in this run).'
      : allVerdicts.length === 0
        ? "Targets: outlast (library and gateway) has at least every baseline's complete answers and no worse p99 time to a complete answer in every scenario, with fewer attempts where completion is equal."
        : `Targets missed:\n${allVerdicts.map((v) => `- ${v}`).join('\n')}`,
  ].join('\n\n');
  console.log(`\n${text}\n\n(suite took ${((Date.now() - started) / 1000).toFixed(0)} s)`);

  const panels: Panel[] = results.map((r) => ({
    title: `${r.scenario}: complete answers`,
    unit: '%',
    bars: r.cells.map((c) => ({
      label: label(c.key),
      value: Number.isFinite(c.complete) ? c.complete * 100 : undefined,
      note: c.startError ? 'could not run' : Number.isFinite(c.p99) ? `p99 ${sec(c.p99)} s` : undefined,
    })),
  }));
  await writeResults(
    'faults',
    {
      budget: BUDGET,
      seed: SEED,
      systems: systems.map((s) => ({ key: s.key, label: s.label, config: s.config })),
      scenarios: scenarios,
      results,
      verdicts: allVerdicts,
      portkeyLog,
      markdown: text,
    },
    barChartSvg(
      'outlast under faults: complete-answer rate per system',
      panels,
      'same seeded faults, same budget',
    ),
  );
}
