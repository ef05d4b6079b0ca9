/**
 * SIGHUP's reload (issue 15): a new config file (routes, keys, limits) serves new requests
 * while a call begun under the old one finishes as it began; a bad file is refused with the
 * reason logged and the old config stays. Also the CLI: SIGHUP no longer kills the process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Gateway, hashKey, startGateway } from '../../src/gateway/index.ts';
import { type MockProvider, startMockProvider } from '../../src/testing/index.ts';
import { openSocket, readAnswer } from './raw-http.ts';

let mock: MockProvider | undefined;
let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  await mock?.close();
  mock = undefined;
});

const OLD_KEY = 'olk_reload_old_key_0123456789';
const NEW_KEY = 'olk_reload_new_key_0123456789';

function yaml(m: MockProvider, route: string, key: string, extra = '') {
  return `
providers:
  anthropic: { type: anthropic, baseURL: "${m.baseURLs.anthropic}", apiKey: sk-ant-QZXJWKVQPLMN }
  openai: { type: openai, baseURL: "${m.baseURLs.openai}", apiKey: sk-ZQJXVKWPMRTN }
routes: { default: [${route}] }
keys: ["${hashKey(key)}"]
server: { drainTimeoutMs: 3000, drainGraceMs: 0${extra} }
`;
}

const call = (url: string, key: string, stream = false) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'default', stream, messages: [{ role: 'user', content: 'hi' }] }),
  });

describe('config reload', () => {
  it('serves new requests with the new routes, keys and limits while a call begun before finishes whole', async () => {
    mock = await startMockProvider({
      scenario: { defaults: { firstTokenMs: 0, tokenMs: 15, answerTokens: 40 } } as never,
    });
    const dir = mkdtempSync(join(tmpdir(), 'outlast-reload-'));
    const path = join(dir, 'outlast.yaml');
    writeFileSync(path, yaml(mock, 'openai/gpt-4.1', OLD_KEY));
    const lines: string[] = [];
    const log = (obj: object, msg?: string) => lines.push(`${msg} ${JSON.stringify(obj)}`);
    gateway = await startGateway({ configPath: path, port: 0, logger: { warn: log, error: log, info: log } });

    const running = call(gateway.url, OLD_KEY, true);
    const res = await running;
    expect(res.status).toBe(200);
    writeFileSync(path, yaml(mock, 'anthropic/claude-sonnet-4-5', NEW_KEY, ', maxHeaderBytes: 2048'));
    const reloaded = gateway.reload();
    // The stream begun under the old config is read to its end while the reload waits for it.
    const text = await res.text();
    expect(text).toContain('[DONE]');
    expect(res.headers.get('x-outlast-model')).toBe('openai/gpt-4.1');
    expect(await reloaded).toEqual({ applied: true });

    const fresh = await call(gateway.url, NEW_KEY);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('x-outlast-model')).toBe('anthropic/claude-sonnet-4-5');
    expect((await call(gateway.url, OLD_KEY)).status).toBe(401);
    // On a new connection (a pooled one keeps the parser it was opened with).
    const socket = await openSocket(gateway.url);
    socket.write(`GET /healthz HTTP/1.1\r\nhost: x\r\nx-pad: ${'a'.repeat(4000)}\r\n\r\n`);
    expect((await readAnswer(socket)).status).toBe(431);
    socket.destroy();
    expect(lines.some((l) => l.startsWith('config reloaded'))).toBe(true);

    // A bad file is refused and logged; the config in force stays.
    writeFileSync(path, yaml(mock, 'nowhere/gpt-4.1', NEW_KEY));
    const refused = await gateway.reload();
    expect(refused.applied).toBe(false);
    expect(refused.reason).toMatch(/unknown provider "nowhere"/);
    expect(lines.some((l) => l.startsWith('config reload refused, keeping the current config'))).toBe(true);
    const still = await call(gateway.url, NEW_KEY);
    expect(still.status).toBe(200);
    expect(still.headers.get('x-outlast-model')).toBe('anthropic/claude-sonnet-4-5');
  });

  it('the gateway process survives SIGHUP and says it reloaded', async () => {
    mock = await startMockProvider({
      scenario: { defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 3 } } as never,
    });
    const dir = mkdtempSync(join(tmpdir(), 'outlast-reload-'));
    const path = join(dir, 'outlast.yaml');
    writeFileSync(path, yaml(mock, 'openai/gpt-4.1', OLD_KEY));
    const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
    const child = spawn(process.execPath, [main, 'gateway', '--config', path, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const waitFor = async (pattern: RegExp) => {
      const until = Date.now() + 10_000;
      while (!pattern.test(out)) {
        if (Date.now() > until || child.exitCode !== null) throw new Error(`no ${pattern} in:\n${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return pattern.exec(out) as RegExpExecArray;
    };
    try {
      const url = (await waitFor(/listening on (http:\/\/\S+)/))[1] as string;
      child.kill('SIGHUP');
      await waitFor(/config reloaded/);
      expect(child.exitCode).toBeNull();
      expect((await call(url, OLD_KEY)).status).toBe(200);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
