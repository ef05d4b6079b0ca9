/**
 * A quick, bounded CPU check of the outlast gateway against the reference proxy, for working on
 * the relay: CPU time per request (utime + stime from /proc, the steadiest figure on a shared
 * machine) for non-streaming and streaming calls, and optionally a CPU profile summary.
 *
 *   node bench/overhead/cpu-check.ts [--requests=3000] [--connections=16] [--profile]
 *     [--json-upstream] [--modes=non-stream,stream] [--baseline=/path/to/another/checkout]
 *
 * `--baseline`: also measures the gateway of another checkout of outlast (e.g. `/work/main`
 * before a change), in the same run, interleaved: a before/after figure the machine's load
 * cannot skew as much as two runs at different times.
 *
 * Every process it starts is stopped when it ends. The full suite is `npm run bench -- overhead`.
 */
import { mkdir, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chatBody } from '../lib/chat-probe.ts';
import { readyLine, type Service, spawnService } from '../lib/child.ts';
import { gcShare, hotSpots, newestProfile } from '../lib/cpu-profile.ts';
import { runLoad } from '../lib/load.ts';
import { startGatewayChild, startMockChild, startReferenceProxyChild } from '../services/services.ts';
import { outlastGatewayConfig } from '../suites/overhead.ts';
import { OVERHEAD_MODELS, overheadScenario } from './scenario.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '3000' },
    connections: { type: 'string', default: '16' },
    profile: { type: 'boolean', default: false },
    'json-upstream': { type: 'boolean', default: false },
    modes: { type: 'string', default: 'non-stream,stream' },
    rounds: { type: 'string', default: '2' },
    baseline: { type: 'string' },
  },
});
const REQUESTS = Number(values.requests);
const CONNECTIONS = Number(values.connections);
const ROUNDS = Number(values.rounds);
const modes = (values.modes ?? '').split(',') as Array<'non-stream' | 'stream'>;

const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

async function cpuPerRequest(service: Service, mock: Service, url: string, model: string, stream: boolean) {
  const body = chatBody(model, stream ? 128 : 64, stream);
  // Warm up (JIT, pools), then measure.
  await runLoad({ url, headers: {}, body, connections: CONNECTIONS, durationS: 0, amount: 300 });
  const [s0, m0] = await Promise.all([service.cpuMs(), mock.cpuMs()]);
  const r = await runLoad({
    url,
    headers: {},
    body,
    connections: CONNECTIONS,
    durationS: 0,
    amount: REQUESTS,
  });
  const [s1, m1] = await Promise.all([service.cpuMs(), mock.cpuMs()]);
  return {
    usPerReq: ((s1 - s0) * 1000) / Math.max(1, r.ok),
    mockUsPerReq: ((m1 - m0) * 1000) / Math.max(1, r.ok),
    okPerSec: r.okPerSec,
    failed: r.non2xx + r.errors,
  };
}

const services: Service[] = [];
try {
  const mock = await startMockChild(overheadScenario());
  services.push(mock);
  const proxy = await startReferenceProxyChild(mock.url);
  services.push(proxy);
  const gateway = await startGatewayChild(outlastGatewayConfig(mock.url, values['json-upstream']));
  services.push(gateway);
  const baseline = values.baseline
    ? await spawnService({
        name: 'baseline-gateway',
        cwd: values.baseline,
        args: [
          join(values.baseline, 'bench/services/gateway-child.ts'),
          '--config',
          JSON.stringify(outlastGatewayConfig(mock.url, values['json-upstream'])),
        ],
        readyFromLine: readyLine,
      })
    : undefined;
  if (baseline) services.push(baseline);
  console.log(`load average at start: ${load()}; ${REQUESTS} requests at ${CONNECTIONS} connections`);
  for (const mode of modes) {
    const stream = mode === 'stream';
    for (let round = 1; round <= ROUNDS; round++) {
      const p = await cpuPerRequest(
        proxy,
        mock,
        `${proxy.url}/v1/chat/completions`,
        OVERHEAD_MODELS.fast,
        stream,
      );
      const g = await cpuPerRequest(gateway, mock, `${gateway.url}/v1/chat/completions`, 'bench', stream);
      const b = baseline
        ? await cpuPerRequest(baseline, mock, `${baseline.url}/v1/chat/completions`, 'bench', stream)
        : undefined;
      console.log(
        `${mode} round ${round}: proxy ${p.usPerReq.toFixed(0)} µs/req, gateway ${g.usPerReq.toFixed(0)} µs/req (mock ${g.mockUsPerReq.toFixed(0)} µs/req, failed ${g.failed}): ${(g.usPerReq / p.usPerReq).toFixed(2)}× the proxy` +
          (b
            ? `; baseline ${b.usPerReq.toFixed(0)} µs/req (${(b.usPerReq / p.usPerReq).toFixed(2)}×, failed ${b.failed})`
            : '') +
          `; load ${load()}`,
      );
    }
  }
  if (values.profile) {
    for (const mode of modes) {
      const dir = join(tmpdir(), `outlast-cpu-check-${mode}`);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      const profiled = await startGatewayChild(outlastGatewayConfig(mock.url, values['json-upstream']), [
        '--cpu-prof',
        `--cpu-prof-dir=${dir}`,
      ]);
      const stream = mode === 'stream';
      await runLoad({
        url: `${profiled.url}/v1/chat/completions`,
        headers: {},
        body: chatBody('bench', stream ? 128 : 64, stream),
        connections: CONNECTIONS,
        durationS: 0,
        amount: REQUESTS,
      });
      await profiled.close();
      const file = await newestProfile(dir);
      if (!file) continue;
      console.log(
        `\nprofile (${mode}, ${CONNECTIONS} connections), GC ${(await gcShare(file)).toFixed(1)}% of samples; top 25 by self time:`,
      );
      for (const h of await hotSpots(file, 25))
        console.log(`  ${h.selfPct.toFixed(1).padStart(5)}%  ${h.frame}`);
    }
  }
} finally {
  await Promise.allSettled(services.reverse().map((s) => s.close()));
}
