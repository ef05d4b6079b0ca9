/** `outlast gateway --workers N` as processes: spawn, read, reach a chosen worker, clean up. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const children: ChildProcess[] = [];
const workerPids = new Set<number>();

/** Ends every process a test started, the workers too (should the primary be gone already). */
export function killAll(): void {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const pid of workerPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  workerPids.clear();
}

export function writeConfig(text: string, path?: string): string {
  const file = path ?? join(mkdtempSync(join(tmpdir(), 'outlast-workers-')), 'outlast.yaml');
  writeFileSync(file, text);
  return file;
}

export function runGateway(args: string[]) {
  // process.execPath is the Node 24 vitest runs on, which runs .ts directly (and so do the workers it forks).
  const child = spawn(process.execPath, [MAIN, 'gateway', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  const onData = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    for (const m of out.matchAll(/pids ([\d, ]+)\)/g))
      for (const pid of m[1]?.split(', ') ?? []) workerPids.add(Number(pid));
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => out,
    async waitFor(pattern: RegExp, timeoutMs = 45_000): Promise<RegExpMatchArray> {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const match = pattern.exec(out);
        if (match) return match;
        if (child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no ${pattern} in output:\n${out}`);
    },
  };
}

export interface Answer {
  status: number;
  worker: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request; without an agent on a connection of its own (the cluster deals connections in turn). */
export function send(
  url: string,
  path: string,
  options: { body?: unknown; agent?: Agent; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(
      `${url}${path}`,
      {
        method: payload ? 'POST' : 'GET',
        agent: options.agent ?? false,
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...options.headers },
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            worker: res.headers['x-outlast-worker'] as string | undefined,
            headers: res.headers,
            body,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer within 10 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Requests on fresh connections until `accept` takes one (bounded): how a test reaches a given worker. */
export async function sendUntil(
  url: string,
  path: string,
  accept: (answer: Answer) => boolean,
  tries = 30,
  body?: unknown,
): Promise<Answer> {
  let last: Answer | undefined;
  for (let i = 0; i < tries; i++) {
    last = await send(url, path, body === undefined ? {} : { body });
    if (accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${path}: no answer accepted in ${tries} tries; the last: ${JSON.stringify(last)}`);
}

/** A keep-alive connection held to one worker: every request on it is served there. */
export async function pinnedTo(url: string, worker: string | undefined = undefined) {
  for (let i = 0; i < 30; i++) {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await send(url, '/healthz', { agent });
    if (worker === undefined || first.worker === worker) return { agent, worker: first.worker as string };
    agent.destroy();
  }
  throw new Error(`no connection reached worker ${worker}`);
}

/** A streaming request on a connection of its own: resolves at the response head; `done` at its end. */
export function openStream(
  url: string,
  path: string,
  body: unknown,
): Promise<{ status: number; worker: string | undefined; ended: () => boolean; done: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json' },
      timeout: 15_000,
    });
    req.on('response', (res) => {
      let text = '';
      let ended = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      const done = new Promise<string>((resolveBody, rejectBody) => {
        res.on('end', () => {
          ended = true;
          resolveBody(text);
        });
        res.on('error', rejectBody);
      });
      resolve({
        status: res.statusCode ?? 0,
        worker: res.headers['x-outlast-worker'] as string | undefined,
        ended: () => ended,
        done,
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer within 15 s`)));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
