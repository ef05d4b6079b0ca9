/** The `outlast` command as a process: hash-key, config errors, the gateway from a YAML file and its SIGTERM drain, the demo. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/gateway/config/index.ts';
import { type MockProvider, startMockProvider } from '../../src/testing/index.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const children: ChildProcess[] = [];
let mock: MockProvider | undefined;
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await mock?.close();
  mock = undefined;
});

function run(args: string[], input?: string) {
  // process.execPath is the Node 24 vitest runs on (from node_modules), which runs .ts directly.
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdin?.end(input ?? '');
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    out: () => stdout,
    err: () => stderr,
    async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const match = pattern.exec(stdout + stderr);
        if (match) return match;
        if (child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no ${pattern} in output:\n${stdout}\n${stderr}`);
    },
  };
}

function writeConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'outlast-cli-'));
  const path = join(dir, 'outlast.yaml');
  writeFileSync(path, text);
  return path;
}

describe('outlast CLI', () => {
  it('hash-key hashes a given key, one from stdin, or makes a new one', async () => {
    const given = run(['hash-key', 'abc']);
    expect(await given.exited).toBe(0);
    expect(given.out().trim()).toBe(hashKey('abc'));
    const piped = run(['hash-key', '-'], 'from-stdin\n');
    expect(await piped.exited).toBe(0);
    expect(piped.out().trim()).toBe(hashKey('from-stdin'));
    const fresh = run(['hash-key']);
    expect(await fresh.exited).toBe(0);
    const key = /key .*: (olk_\S+)/.exec(fresh.out())?.[1] ?? '';
    expect(fresh.out()).toContain(hashKey(key));
  });

  it('gateway exits non-zero on a bad config, naming the path and the problem', async () => {
    const path = writeConfig('providers:\n  openai: { type: openai }\nroutes:\n  default: [opnai/gpt-4.1]\n');
    const bad = run(['gateway', '--config', path, '--port', '0']);
    expect(await bad.exited).not.toBe(0);
    expect(bad.out() + bad.err()).toContain(
      'routes.default.0: unknown provider "opnai", did you mean "openai"?',
    );
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: the test's name quotes the config's `${ENV}` syntax
  it('gateway serves from a YAML config with ${ENV}, and drains and exits 0 on SIGTERM', async () => {
    mock = await startMockProvider({
      scenario: { defaults: { firstTokenMs: 0, tokenMs: 30, answerTokens: 20 } } as never,
    });
    const path = writeConfig(
      [
        'providers:',
        `  openai: { type: openai, baseURL: "${mock.baseURLs.openai}", apiKey: "\${OUTLAST_TEST_UPSTREAM_KEY:-sk-x}" }`,
        'routes:',
        '  default: [openai/gpt-4.1]',
        'keys:',
        `  - ${hashKey('cli-key')}`,
        'logging: { level: warn }',
      ].join('\n'),
    );
    const gateway = run(['gateway', '--config', path, '--port', '0']);
    const [, url] = await gateway.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const streaming = fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer cli-key' },
      body: JSON.stringify({ model: 'default', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const res = await streaming;
    expect(res.status).toBe(200);
    gateway.child.kill('SIGTERM');
    const body = await res.text();
    expect(body).toContain('[DONE]');
    expect(await gateway.exited).toBe(0);
  });

  it('gateway with no config runs the demo on the mock provider and prints a URL and a curl line', async () => {
    const demo = run(['gateway', '--port', '0']);
    const [, url] = await demo.waitFor(/outlast gateway \(demo\) on (http:\/\/\S+)/);
    await demo.waitFor(/curl -s http:\/\/\S+\/v1\/messages/);
    const res = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'default', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }),
    });
    // The flaky scenario may exhaust a route now and then; the answer is always in the dialect.
    expect([200, 429, 500, 502, 503, 504, 529]).toContain(res.status);
    expect(await demo.waitFor(/gateway is OPEN/)).toBeTruthy();
    demo.child.kill('SIGTERM');
    expect(await demo.exited).toBe(0);
  });
});
