/**
 * `outlast gateway --workers 2` as processes (issue 20): both workers answer on one port; a
 * breaker opened through one is open in the other (state through the primary); /metrics sums
 * both; SIGTERM drains streams on both and exits 0; SIGHUP reloads both; a dead worker is
 * restarted; a worker that cannot start ends the primary with its error.
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type MockProvider, startMockProvider } from '../../src/testing/index.ts';
import { sharedRedisUrl, uniquePrefix } from '../state/redis-server.ts';
import {
  killAll,
  openStream,
  pinnedTo,
  runGateway,
  send,
  sendUntil,
  writeConfig,
} from './workers-support.ts';

let mock: MockProvider | undefined;
let blocker: Server | undefined;
afterEach(async () => {
  killAll();
  await mock?.close();
  mock = undefined;
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = undefined;
});

function yaml(
  m: MockProvider,
  extra: string[] = [],
  routes = 'default: [openai/gpt-primary, gemini/gemini-backup]',
) {
  return [
    'providers:',
    `  openai: { type: openai, baseURL: "${m.baseURLs.openai}", apiKey: sk-test }`,
    `  gemini: { type: gemini, baseURL: "${m.baseURLs.gemini}", apiKey: g-test }`,
    `routes: { ${routes} }`,
    'breaker: { consecutiveFailures: 2, minimumSpanMs: 0, cooldownMs: 30000 }',
    'server: { drainTimeoutMs: 5000, drainGraceMs: 0 }',
    'logging: { level: warn, requests: false }',
    ...extra,
  ].join('\n');
}

const chat = (stream = false) => ({
  model: 'default',
  stream,
  messages: [{ role: 'user', content: 'hi' }],
});

async function startCluster(config: string, extraArgs: string[] = []) {
  const gateway = runGateway(['--config', config, '--port', '0', '--workers', '2', ...extraArgs]);
  const [, url] = await gateway.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
  const [, pids] = await gateway.waitFor(/2 workers \(pids (\d+, \d+)\)/);
  return { gateway, url: url as string, pids: (pids as string).split(', ').map(Number) };
}

interface Status {
  cluster: { worker: number; workers: Array<{ id: number; pid: number }>; size: number; restarts: number };
  state: { backend: string; status: string };
  routes: Array<{ id: string }>;
  targets: Array<{ key: string; breaker: string }>;
}
const parse = (body: string) => JSON.parse(body) as Status;

// Three Node processes start per test: on a loaded 2-core machine (the whole suite running
// beside) that alone took over 15 s, so the bounds are wide; a passing test takes 3-8 s.
describe('outlast gateway --workers 2', { timeout: 90_000 }, () => {
  it('answers from both workers on one port, lists them in /status, and sums both in /metrics', async () => {
    mock = await startMockProvider({
      scenario: { defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 5 } },
    });
    const { url, pids } = await startCluster(writeConfig(yaml(mock)));
    const seen = new Map<string, number>();
    for (let i = 0; i < 8; i++) {
      const answer = await send(url, '/v1/chat/completions', { body: chat() });
      expect(answer.status).toBe(200);
      seen.set(answer.worker as string, (seen.get(answer.worker as string) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual(['1', '2']);

    const status = parse((await send(url, '/status')).body);
    expect(status.cluster.size).toBe(2);
    expect(status.cluster.workers.map((w) => w.pid).sort()).toEqual([...pids].sort());
    expect(status.state).toMatchObject({ backend: 'cluster', status: 'ok' });

    // Either worker answers /metrics with both workers' counts summed: 8, not its own share.
    for (const worker of ['1', '2']) {
      const metrics = await sendUntil(url, '/metrics', (a) => a.worker === worker);
      expect(metrics.body).toMatch(
        /outlast_http_requests_total\{endpoint="\/v1\/chat\/completions",status="200"\} 8\n/,
      );
      expect(metrics.body).toMatch(/\noutlast_cluster_workers 2\n/);
      // A gauge of shared state is the workers' maximum, never their sum.
      expect(metrics.body).toMatch(/\noutlast_state_degraded 0\n/);
    }
  });

  it('a breaker opened by failures through one worker is open in the other, which skips the target', async () => {
    mock = await startMockProvider({
      scenario: {
        defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 5 },
        models: { 'gpt-primary': { faults: ['500'] } },
      },
    });
    const { url } = await startCluster(writeConfig(yaml(mock)));
    const first = await pinnedTo(url);
    const answer = await send(url, '/v1/chat/completions', { body: chat(), agent: first.agent });
    first.agent.destroy();
    expect(answer.status).toBe(200);
    expect(answer.worker).toBe(first.worker);
    expect(answer.headers['x-outlast-model']).toBe('gemini/gemini-backup');
    const primaryCalls = () => mock?.log().filter((e) => e.model === 'gpt-primary').length ?? 0;
    expect(primaryCalls()).toBe(2);

    const other = first.worker === '1' ? '2' : '1';
    const seenThere = await sendUntil(
      url,
      '/status',
      (a) =>
        a.worker === other &&
        parse(a.body).targets.some((t) => t.key === 'openai/gpt-primary' && t.breaker === 'open'),
    );
    expect(seenThere.worker).toBe(other);
    const second = await pinnedTo(url, other);
    const viaOther = await send(url, '/v1/chat/completions', { body: chat(), agent: second.agent });
    second.agent.destroy();
    expect(viaOther.worker).toBe(other);
    expect(viaOther.headers['x-outlast-model']).toBe('gemini/gemini-backup');
    expect(viaOther.headers['x-outlast-attempts']).toBe('1');
    // The other worker never sent the open target a request.
    expect(primaryCalls()).toBe(2);
  });

  it('with state.redis the workers share through Redis directly, as separate instances do', async () => {
    mock = await startMockProvider({
      scenario: {
        defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 5 },
        models: { 'gpt-primary': { faults: ['500'] } },
      },
    });
    const redis = `state: { redis: "${sharedRedisUrl()}", prefix: "${uniquePrefix()}", syncIntervalMs: 200 }`;
    const { url } = await startCluster(writeConfig(yaml(mock, [redis])));
    const first = await pinnedTo(url);
    const answer = await send(url, '/v1/chat/completions', { body: chat(), agent: first.agent });
    first.agent.destroy();
    expect(answer.headers['x-outlast-model']).toBe('gemini/gemini-backup');
    const other = first.worker === '1' ? '2' : '1';
    const seen = await sendUntil(
      url,
      '/status',
      (a) => {
        const s = parse(a.body);
        return (
          a.worker === other && s.targets.some((t) => t.key === 'openai/gpt-primary' && t.breaker === 'open')
        );
      },
      100,
    );
    expect(parse(seen.body).state).toMatchObject({ backend: 'redis', status: 'ok' });
  });

  it('SIGTERM drains the streams in flight on both workers, then exits 0', async () => {
    // 60 tokens 50 ms apart: each stream is still running when the signal comes.
    mock = await startMockProvider({
      scenario: { defaults: { firstTokenMs: 0, tokenMs: 50, answerTokens: 60 } },
    });
    const { gateway, url } = await startCluster(writeConfig(yaml(mock, [], 'default: [openai/gpt-4.1]')));
    const streams: Array<Awaited<ReturnType<typeof openStream>>> = [];
    // Fresh connections are dealt in turn: open streams until both workers serve one (bounded).
    while (new Set(streams.map((s) => s.worker)).size < 2 && streams.length < 8)
      streams.push(await openStream(url, '/v1/chat/completions', chat(true)));
    expect(new Set(streams.map((s) => s.worker))).toEqual(new Set(['1', '2']));
    expect(streams.every((s) => s.status === 200 && !s.ended())).toBe(true);
    gateway.child.kill('SIGTERM');
    for (const body of await Promise.all(streams.map((s) => s.done))) expect(body).toContain('[DONE]');
    expect(await gateway.exited).toBe(0);
    expect(gateway.output()).toContain('SIGTERM: draining in-flight calls on all 2 workers');
  });

  it('SIGHUP reloads the config in every worker; a bad file is refused and both keep serving', async () => {
    mock = await startMockProvider({
      scenario: { defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 5 } },
    });
    const path = writeConfig(yaml(mock, [], 'default: [openai/gpt-4.1]'));
    const { gateway, url } = await startCluster(path);
    writeConfig(yaml(mock, [], 'default: [openai/gpt-4.1], second: [gemini/gemini-2.5-flash]'), path);
    gateway.child.kill('SIGHUP');
    for (const worker of ['1', '2']) {
      const reloaded = await sendUntil(
        url,
        '/status',
        (a) => a.worker === worker && parse(a.body).routes.some((r) => r.id === 'second'),
        100,
      );
      expect(reloaded.worker).toBe(worker);
    }
    writeConfig('providers:\n  openai: { type: openai }\nroutes: { default: [opnai/gpt-4.1] }\n', path);
    gateway.child.kill('SIGHUP');
    await gateway.waitFor(
      /config reload refused, every worker keeps the current config: .*unknown provider \\?"opnai/,
    );
    for (const worker of ['1', '2']) {
      const answer = await sendUntil(url, '/status', (a) => a.worker === worker);
      expect(
        parse(answer.body)
          .routes.map((r) => r.id)
          .sort(),
      ).toEqual(['default', 'second']);
    }
    expect(gateway.child.exitCode).toBeNull();
  });

  it('restarts a worker that dies, says so, and the new one starts with the shared state', async () => {
    mock = await startMockProvider({
      scenario: {
        defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 5 },
        models: { 'gpt-primary': { faults: ['500'] } },
      },
    });
    const { gateway, url, pids } = await startCluster(writeConfig(yaml(mock)));
    expect((await send(url, '/v1/chat/completions', { body: chat() })).headers['x-outlast-model']).toBe(
      'gemini/gemini-backup',
    );
    process.kill(pids[0] as number, 'SIGKILL');
    await gateway.waitFor(/worker 1 \(pid \d+\) exited with signal SIGKILL; restarting it in 100 ms/);
    const fromNew = await sendUntil(url, '/status', (a) => a.worker === '3', 100);
    const status = parse(fromNew.body);
    expect(status.cluster.restarts).toBe(1);
    expect(status.cluster.workers.map((w) => w.id).sort()).toEqual([2, 3]);
    expect(status.targets.find((t) => t.key === 'openai/gpt-primary')?.breaker).toBe('open');
    const answer = await sendUntil(url, '/v1/chat/completions', (a) => a.worker === '3', 30, chat());
    expect(answer.status).toBe(200);
    expect(mock.log().filter((e) => e.model === 'gpt-primary')).toHaveLength(2);
  });

  it('the demo (no --config) runs on 2 workers with the built-in mock, and exits 0 on SIGTERM', async () => {
    const demo = runGateway(['--port', '0', '--workers', '2']);
    const [, url] = await demo.waitFor(/outlast gateway \(demo\) on (http:\/\/\S+)/);
    await demo.waitFor(/2 workers \(pids \d+, \d+\)/);
    for (const worker of ['1', '2']) {
      const status = await sendUntil(url as string, '/status', (a) => a.worker === worker);
      expect(parse(status.body).routes.map((r) => r.id)).toEqual(['default']);
      expect(parse(status.body).cluster.size).toBe(2);
    }
    const body = { model: 'default', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] };
    const answer = await send(url as string, '/v1/messages', { body });
    expect(answer.status).toBe(200);
    demo.child.kill('SIGTERM');
    expect(await demo.exited).toBe(0);
  });

  it('exits non-zero with the message on a bad config, before any worker starts', async () => {
    const path = writeConfig('providers:\n  openai: { type: openai }\nroutes:\n  default: [opnai/gpt-4.1]\n');
    const bad = runGateway(['--config', path, '--port', '0', '--workers', '2']);
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain('routes.default.0: unknown provider "opnai", did you mean "openai"?');
    expect(bad.output()).not.toContain('restarting');
  });

  it('exits non-zero with the worker error when the workers cannot start (port taken), with no restart loop', async () => {
    mock = await startMockProvider();
    const taken = createServer();
    blocker = taken;
    const port = await new Promise<number>((resolve) =>
      taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)),
    );
    const path = writeConfig(yaml(mock));
    const stuck = runGateway(['--config', path, '--port', String(port), '--workers', '2']);
    expect(await stuck.exited).toBe(1);
    expect(stuck.output()).toMatch(
      /outlast: a worker failed to start: worker \d \(pid \d+\) failed: .*EADDRINUSE/,
    );
    expect(stuck.output()).not.toContain('restarting');
  });

  it('--workers refuses a value that is not a positive integer or auto', async () => {
    const bad = runGateway(['--workers', 'two', '--port', '0']);
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain('--workers: expected a positive integer (at most 1024) or auto, got two');
  });
});
