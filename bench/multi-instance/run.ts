/**
 * The multi-instance test (issue 15), an opt-in tier: `node bench/multi-instance/run.ts`.
 * On loopback: a private redis-server, the mock provider (faults on), three gateway processes
 * sharing state through Redis, and HAProxy (Debian's `haproxy`) in front. Mixed load (streamed
 * chat completions and plain messages) runs through HAProxy in three phases: before; during
 * (one gateway SIGKILLed, then Redis killed, then both restarted); after. The client retries a
 * failed request once, as a client of a load-balanced service does. Reports requests lost,
 * the time until all three instances agree on a breaker the primary's outage opened, and p99 per
 * phase. Bounded: PHASE_MS per phase, CONCURRENCY callers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockProvider } from '../../src/testing/index.ts';

const PHASE_MS = Number(process.env.PHASE_MS ?? 8000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const ROOT = new URL('../../', import.meta.url).pathname;
const children = new Set<ChildProcess>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

function start(cmd: string, args: string[], name: string): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (c: Buffer) => {
    tail = (tail + c.toString()).slice(-2000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (process.env.VERBOSE) process.stderr.write(`${name} exited ${code ?? signal}: ${tail}\n`);
  });
  children.add(child);
  return child;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const started = Date.now();
  while (!(await check().catch(() => false))) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const answers = (url: string) => () => fetch(url).then((r) => r.status < 500);

function p99(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] as number;
}

async function main() {
  const redisPort = await freePort();
  const startRedis = () =>
    start(
      'redis-server',
      ['--bind', '127.0.0.1', '--port', String(redisPort), '--save', '', '--appendonly', 'no'],
      'redis',
    );
  let redis = startRedis();
  const mock = await startMockProvider({
    seed: 3,
    scenario: {
      defaults: { firstTokenMs: 30, tokenMs: 3, answerTokens: 30 },
      faults: [
        { fault: '529', probability: 0.05 },
        { fault: 'reset', probability: 0.02 },
        { fault: 'cut after=10', probability: 0.03 },
      ],
    } as never,
  });
  const dir = mkdtempSync(join(tmpdir(), 'outlast-multi-'));
  const config = join(dir, 'outlast.yaml');
  writeFileSync(
    config,
    `providers:
  anthropic: { type: anthropic, baseURL: "${mock.baseURLs.anthropic}", apiKey: sk-ant-QZXJWKVQPLMN }
  openai: { type: openai, baseURL: "${mock.baseURLs.openai}", apiKey: sk-ZQJXVKWPMRTN }
routes: { default: [anthropic/claude-sonnet-4-5, openai/gpt-4.1] }
breaker: { consecutiveFailures: 3, cooldownMs: 20000 }
state: { redis: "redis://127.0.0.1:${redisPort}", syncIntervalMs: 200, commandTimeoutMs: 300 }
server: { drainTimeoutMs: 2000 }
logging: { level: warn, requests: false }
`,
  );
  const ports = [await freePort(), await freePort(), await freePort()];
  const gateway = (i: number) =>
    start(
      process.execPath,
      [join(ROOT, 'bin/outlast.js'), 'gateway', '--config', config, '--port', String(ports[i])],
      `gateway${i + 1}`,
    );
  const gateways = ports.map((_, i) => gateway(i));
  for (const port of ports)
    await until(answers(`http://127.0.0.1:${port}/healthz`), 15_000, `gateway on ${port}`);

  const lbPort = await freePort();
  const haproxyCfg = join(dir, 'haproxy.cfg');
  writeFileSync(
    haproxyCfg,
    `global
  maxconn 4000
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  timeout http-keep-alive 10s
  retries 1
  retry-on conn-failure empty-response 503
  option redispatch
frontend llm
  bind 127.0.0.1:${lbPort}
  default_backend outlast
backend outlast
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 500ms fall 2 rise 2
${ports.map((p, i) => `  server g${i + 1} 127.0.0.1:${p} check`).join('\n')}
`,
  );
  start('haproxy', ['-db', '-f', haproxyCfg], 'haproxy');
  const lb = `http://127.0.0.1:${lbPort}`;
  await until(answers(`${lb}/healthz`), 10_000, 'haproxy');

  // Breaker agreement: the primary fails outright; each instance's /status is polled for its breaker.
  mock.setScenario({
    defaults: { firstTokenMs: 30, tokenMs: 3, answerTokens: 30 },
    models: { 'claude-sonnet-4-5': { faults: ['500'] } },
  } as never);
  const openAt: Array<number | undefined> = [undefined, undefined, undefined];
  const outageStart = Date.now();
  const poke = (async () => {
    while (openAt.some((t) => t === undefined) && Date.now() - outageStart < 15_000) {
      await fetch(`${lb}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'hi' }] }),
      }).then(
        (r) => r.text(),
        () => '',
      );
    }
  })();
  while (openAt.some((t) => t === undefined) && Date.now() - outageStart < 15_000) {
    await Promise.all(
      ports.map(async (port, i) => {
        if (openAt[i] !== undefined) return;
        const status = (await fetch(`http://127.0.0.1:${port}/status`).then((r) => r.json())) as {
          targets: Array<{ key: string; breaker: string }>;
        };
        if (status.targets.find((t) => t.key === 'anthropic/claude-sonnet-4-5')?.breaker === 'open')
          openAt[i] = Date.now();
      }),
    );
    await sleep(20);
  }
  await poke;
  const opened = openAt.filter((t): t is number => t !== undefined);
  const agreementMs = opened.length === 3 ? Math.max(...opened) - Math.min(...opened) : Number.NaN;
  // Back to the faulty-but-alive scenario for the load phases.
  mock.setScenario({
    defaults: { firstTokenMs: 30, tokenMs: 3, answerTokens: 30 },
    faults: [
      { fault: '529', probability: 0.05 },
      { fault: 'reset', probability: 0.02 },
      { fault: 'cut after=10', probability: 0.03 },
    ],
  } as never);

  type Result = {
    phase: string;
    ms: number;
    ok: boolean;
    retried: boolean;
    error?: string;
    firstError?: string;
  };
  const results: Result[] = [];
  let phase = 'before';
  let stop = false;
  const one = async (i: number): Promise<{ ok: boolean; error?: string }> => {
    const stream = i % 2 === 0;
    const res = stream
      ? await fetch(`${lb}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            model: 'default',
            stream: true,
            messages: [{ role: 'user', content: 'hi' }],
          }),
        })
      : await fetch(`${lb}/v1/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
          body: JSON.stringify({
            model: 'default',
            max_tokens: 64,
            messages: [{ role: 'user', content: 'hi' }],
          }),
        });
    const text = await res.text();
    if (res.status !== 200) return { ok: false, error: `${res.status} ${text.slice(0, 120)}` };
    if (stream && !text.includes('[DONE]')) return { ok: false, error: 'stream without [DONE]' };
    if (stream && text.includes('"error"')) return { ok: false, error: `stream error ${text.slice(-160)}` };
    return { ok: true };
  };
  const caller = async (c: number) => {
    for (let i = c; !stop; i += CONCURRENCY) {
      const started = performance.now();
      const at = phase;
      let outcome = await one(i).catch((e: Error) => ({ ok: false, error: `network ${e.message}` }));
      let retried = false;
      const firstError = outcome.ok ? undefined : outcome.error;
      if (!outcome.ok) {
        retried = true;
        await sleep(200);
        outcome = await one(i).catch((e: Error) => ({ ok: false, error: `network ${e.message}` }));
      }
      results.push({
        phase: at,
        ms: performance.now() - started,
        ok: outcome.ok,
        retried,
        ...(outcome.error ? { error: outcome.error } : {}),
        ...(firstError ? { firstError } : {}),
      });
    }
  };
  const load = Promise.all(Array.from({ length: CONCURRENCY }, (_, c) => caller(c)));
  await sleep(PHASE_MS);
  phase = 'during';
  const during = (async () => {
    gateways[1]?.kill('SIGKILL');
    await sleep(PHASE_MS / 4);
    redis.kill('SIGKILL');
    await sleep(PHASE_MS / 4);
    gateways[1] = gateway(1);
    redis = startRedis();
    await until(answers(`http://127.0.0.1:${ports[1]}/healthz`), 15_000, 'the restarted gateway');
  })();
  await sleep(PHASE_MS);
  await during;
  phase = 'after';
  await sleep(PHASE_MS);
  stop = true;
  await load;
  const readyz = await Promise.all(
    ports.map((p) =>
      fetch(`http://127.0.0.1:${p}/readyz`).then((r) => r.json() as Promise<{ status: string }>),
    ),
  );

  const rows = ['before', 'during', 'after'].map((name) => {
    const here = results.filter((r) => r.phase === name);
    return {
      phase: name,
      requests: here.length,
      lost: here.filter((r) => !r.ok).length,
      retried: here.filter((r) => r.retried).length,
      p99Ms: Math.round(p99(here.filter((r) => r.ok).map((r) => r.ms))),
    };
  });
  const errors = [...new Set(results.filter((r) => !r.ok).map((r) => r.error))].slice(0, 5);
  // What the client saw before its retry: the requests in flight on the killed instance, and faults.
  const firstErrors = results.filter((r) => r.firstError).map((r) => `${r.phase}: ${r.firstError}`);
  process.stdout.write(
    `${JSON.stringify({ phaseMs: PHASE_MS, concurrency: CONCURRENCY, breakerAgreementMs: agreementMs, rows, errors, firstErrors, readyzAfter: readyz.map((r) => r.status) }, null, 2)}\n`,
  );
  await mock.close();
}

const cleanup = () => {
  for (const child of children) child.kill('SIGKILL');
};
process.on('exit', cleanup);
main()
  .catch((error: unknown) => {
    process.stderr.write(`multi-instance: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    cleanup();
    setTimeout(() => process.exit(), 200).unref();
  });
