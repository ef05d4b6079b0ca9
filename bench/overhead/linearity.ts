/**
 * Whether a call's cost stays flat as load and answers grow (issue 20): CPU and memory per call
 * of the outlast gateway and of the reference proxy, at 10, 100 and 1,000 concurrent streamed
 * calls and for answers of 100, 1,000 and 10,000 tokens. CPU per call is utime + stime from
 * /proc over a closed-loop load ÷ completed calls; memory per call is the growth of resident
 * memory (sampled every 50 ms) over the idle process ÷ the calls open at once, in a fresh process
 * per row (so one row's heap does not hide the next one's growth).
 */
import { chatBody } from '../lib/chat-probe.ts';
import type { Service } from '../lib/child.ts';
import { runLoad } from '../lib/load.ts';
import { holdOpenStreams } from '../lib/open-streams.ts';
import { markdownTable } from '../lib/table.ts';
import { OVERHEAD_MODELS, tokenModel } from './scenario.ts';

export type LinearSystem = 'reference' | 'outlast';

export interface LinearityRow {
  axis: 'concurrent calls' | 'answer tokens';
  value: number;
  system: LinearSystem;
  cpuUsPerCall?: number;
  cpuUsPerToken?: number;
  memKbPerCall?: number;
  okPerSec?: number;
  error?: string;
}

export interface LinearityOptions {
  concurrency: readonly number[];
  tokens: readonly number[];
  durationS: number;
  mock: Service;
  /** A fresh child of the system; `model(name)` is what to ask for the mock's model `name`. */
  start(system: LinearSystem): Promise<{ service: Service; url: string; model(mockModel: string): string }>;
}

const LABEL: Record<LinearSystem, string> = { reference: 'reference proxy', outlast: 'outlast gateway' };

async function withRssSampler<T>(
  service: Service,
  run: () => Promise<T>,
): Promise<{ value: T; beforeMb: number; peakMb: number }> {
  const beforeMb = (await service.rssKb()) / 1024;
  let peakMb = beforeMb;
  const timer = setInterval(() => {
    void service.rssKb().then((kb) => {
      if (Number.isFinite(kb)) peakMb = Math.max(peakMb, kb / 1024);
    });
  }, 50);
  try {
    return {
      value: await run(),
      beforeMb,
      peakMb: await service.rssKb().then((kb) => Math.max(peakMb, kb / 1024)),
    };
  } finally {
    clearInterval(timer);
  }
}

async function cpuOf(
  system: { service: Service; url: string },
  body: string,
  connections: number,
  durationS: number,
): Promise<{ usPerCall: number; okPerSec: number; ok: number; rss: { beforeMb: number; peakMb: number } }> {
  // A short warm-up so the JIT and the pools are in the measured state.
  await runLoad({ url: system.url, headers: {}, body, connections: Math.min(connections, 16), durationS: 1 });
  const before = await system.service.cpuMs();
  const {
    value: load,
    beforeMb,
    peakMb,
  } = await withRssSampler(system.service, () =>
    runLoad({ url: system.url, headers: {}, body, connections, durationS, timeoutS: 60 }),
  );
  const after = await system.service.cpuMs();
  return {
    usPerCall: ((after - before) * 1000) / Math.max(1, load.ok),
    okPerSec: load.okPerSec,
    ok: load.ok,
    rss: { beforeMb, peakMb },
  };
}

export async function measureLinearity(options: LinearityOptions): Promise<LinearityRow[]> {
  const rows: LinearityRow[] = [];
  for (const system of ['reference', 'outlast'] as const) {
    for (const c of options.concurrency) {
      const row: LinearityRow = { axis: 'concurrent calls', value: c, system };
      rows.push(row);
      let started: Awaited<ReturnType<LinearityOptions['start']>> | undefined;
      try {
        // CPU: closed-loop streaming load at c connections (128-token answers, no pacing).
        started = await options.start(system);
        const cpu = await cpuOf(
          started,
          chatBody(started.model(OVERHEAD_MODELS.fast), 128, true),
          c,
          options.durationS,
        );
        row.cpuUsPerCall = cpu.usPerCall;
        row.okPerSec = cpu.okPerSec;
        await started.service.close();
        // Memory: c slow streams held open at once in a fresh process.
        started = await options.start(system);
        // Warmed first, so the growth measured is the streams', not the first requests' heap.
        await runLoad({
          url: started.url,
          headers: {},
          body: chatBody(started.model(OVERHEAD_MODELS.fast), 128, true),
          connections: 16,
          durationS: 1,
        });
        const held = await holdOpenStreams({
          service: started.service,
          url: started.url,
          headers: {},
          body: chatBody(started.model(OVERHEAD_MODELS.slow), OVERHEAD_MODELS.slowTokens, true),
          count: c,
          openTimeoutMs: 15_000,
          holdMs: 1000,
        });
        row.memKbPerCall = ((held.sampledPeakMb - held.rssBeforeMb) * 1024) / Math.max(1, held.opened);
        if (held.opened < c)
          row.error = `${held.opened}/${c} opened${held.firstError ? `: ${held.firstError}` : ''}`;
      } catch (err) {
        row.error = String(err instanceof Error ? err.message : err);
      } finally {
        await started?.service.close();
      }
      console.log(`  linearity ${LABEL[system]} ${c} concurrent: ${JSON.stringify(row)}`);
    }
    for (const n of options.tokens) {
      const row: LinearityRow = { axis: 'answer tokens', value: n, system };
      rows.push(row);
      let started: Awaited<ReturnType<LinearityOptions['start']>> | undefined;
      try {
        started = await options.start(system);
        const connections = 16;
        const cpu = await cpuOf(
          started,
          chatBody(started.model(tokenModel(n)), n, true),
          connections,
          options.durationS,
        );
        row.cpuUsPerCall = cpu.usPerCall;
        row.cpuUsPerToken = cpu.usPerCall / n;
        row.okPerSec = cpu.okPerSec;
        row.memKbPerCall = ((cpu.rss.peakMb - cpu.rss.beforeMb) * 1024) / connections;
        if (cpu.ok === 0) row.error = 'no call completed';
      } catch (err) {
        row.error = String(err instanceof Error ? err.message : err);
      } finally {
        await started?.service.close();
      }
      console.log(`  linearity ${LABEL[system]} ${n} tokens: ${JSON.stringify(row)}`);
    }
  }
  return rows;
}

export function linearityTable(rows: readonly LinearityRow[]): string {
  const ref = (r: LinearityRow) =>
    rows.find((x) => x.axis === r.axis && x.value === r.value && x.system === 'reference');
  const body = rows
    .filter((r) => r.system === 'outlast')
    .map((r) => {
      const p = ref(r);
      return [
        r.axis,
        r.value,
        r.cpuUsPerCall === undefined ? undefined : Math.round(r.cpuUsPerCall),
        p?.cpuUsPerCall === undefined ? undefined : Math.round(p.cpuUsPerCall),
        r.cpuUsPerToken,
        r.memKbPerCall === undefined ? undefined : Math.round(r.memKbPerCall),
        p?.memKbPerCall === undefined ? undefined : Math.round(p.memKbPerCall),
        [r.error, p?.error ? `proxy: ${p.error}` : undefined].filter(Boolean).join('; ') || undefined,
      ];
    });
  return markdownTable(
    [
      'axis',
      'value',
      'outlast CPU µs/call',
      'proxy CPU µs/call',
      'outlast CPU µs/token',
      'outlast memory KB/call',
      'proxy memory KB/call',
      'error',
    ],
    body,
  );
}
