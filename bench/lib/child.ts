/**
 * Services under test run in child processes so each has its own event loop and its own RSS.
 * Every child is registered and killed when the suite ends, fails, or the process exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

export interface Service {
  name: string;
  url: string;
  pid: number;
  /** Peak resident set (VmHWM) in KiB, from /proc; NaN where /proc is missing. */
  peakRssKb(): Promise<number>;
  rssKb(): Promise<number>;
  /** CPU time (user + system) the process has used so far, ms; NaN where /proc is missing. */
  cpuMs(): Promise<number>;
  /** Last lines the child wrote to stderr/stdout, for error rows. */
  output(): string;
  /**
   * Heap after a full GC and the resources keeping the loop alive, from a child that reports them
   * on SIGUSR2 (`reportHeapOnSignal`; `--expose-gc` for the GC). Only for such a child: SIGUSR2
   * ends any other. Rejects after `timeoutMs` without a report.
   */
  heapReport(timeoutMs?: number): Promise<HeapReport>;
  close(): Promise<void>;
}

export interface HeapReport {
  heapUsedMb: number;
  /** False when the child ran without `--expose-gc`: the heap figure then includes garbage. */
  collected: boolean;
  /** `process.getActiveResourcesInfo()` counted by type: sockets, timers, … */
  resources: Record<string, number>;
}

const live = new Set<ChildProcess>();

/** The line of a child's output that says what went wrong, rather than its stack. */
export function errorLine(lines: readonly string[]): string {
  const meaningful = lines
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('at ') && !/^\^+$/.test(l));
  const error = meaningful.find((l) => /\b[A-Z]\w*Error\b|\berror\b/i.test(l) && !l.startsWith('Node.js'));
  const code = meaningful.find((l) => /^code: /.test(l));
  const picked = error ?? meaningful[meaningful.length - 1] ?? '';
  return `${picked}${code ? ` (${code})` : ''}`.slice(0, 220);
}
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function procStatus(pid: number, field: 'VmHWM' | 'VmRSS'): Promise<number> {
  try {
    const text = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

// Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux).
const TICKS_PER_S = 100;

export async function procCpuMs(pid: number): Promise<number> {
  try {
    return cpuMsFromProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return Number.NaN;
  }
}

/** User plus system CPU ms from the text of `/proc/<pid>/stat` (fields 14 and 15, utime and stime). */
export function cpuMsFromProcStat(text: string): number {
  // The command name (field 2) may hold spaces and parentheses: count fields from after its last ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return Number.NaN;
  const fields = text.slice(close + 2).split(' ');
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  if (!Number.isFinite(user) || !Number.isFinite(system) || fields[11] === '' || fields[12] === '')
    return Number.NaN;
  return ((user + system) * 1000) / TICKS_PER_S;
}

export interface SpawnOptions {
  name: string;
  args: string[];
  command?: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Returns the service URL once a stdout line says it is ready. */
  readyFromLine?: (line: string) => string | undefined;
  /** Or: the URL to poll until it answers any HTTP status. */
  pollUrl?: string;
  timeoutMs?: number;
}

export async function spawnService(options: SpawnOptions): Promise<Service> {
  const child = spawn(options.command ?? process.execPath, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
    }
  };
  child.stderr?.on('data', keep);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      live.delete(child);
      resolve();
    });
  });
  const close = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exitedPromise;
    clearTimeout(timer);
  };
  const timeoutMs = options.timeoutMs ?? 20_000;
  try {
    // One reader of the child's stdout, line by line: the ready line first, heap reports after.
    const heapWaiters: Array<(report: HeapReport) => void> = [];
    let onReadyLine: ((line: string) => void) | undefined;
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      keep(chunk);
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        onReadyLine?.(line);
        const report = heapLine(line);
        if (report) heapWaiters.shift()?.(report);
      }
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${options.name} not ready in ${timeoutMs} ms: ${errorLine(tail)}`)),
        timeoutMs,
      );
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${options.name} exited (${code ?? signal}) before ready: ${errorLine(tail)}`));
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      const ready = options.readyFromLine;
      if (ready) {
        onReadyLine = (line) => {
          const url = ready(line);
          if (url) {
            clearTimeout(timer);
            resolve(url);
          }
        };
      }
      if (options.pollUrl) {
        const target = options.pollUrl;
        const poll = async () => {
          while (!exited) {
            try {
              await fetch(target, { signal: AbortSignal.timeout(1000) });
              clearTimeout(timer);
              resolve(target.replace(/\/[^/]*$/, ''));
              return;
            } catch {
              await new Promise((r) => setTimeout(r, 150));
            }
          }
        };
        void poll();
      }
    });
    onReadyLine = undefined;
    return {
      name: options.name,
      url,
      pid: child.pid ?? -1,
      peakRssKb: () => procStatus(child.pid ?? -1, 'VmHWM'),
      rssKb: () => procStatus(child.pid ?? -1, 'VmRSS'),
      cpuMs: () => procCpuMs(child.pid ?? -1),
      output: () => tail.join('\n'),
      heapReport: (waitMs = 10_000) =>
        new Promise<HeapReport>((resolve, reject) => {
          const timer = setTimeout(() => {
            heapWaiters.splice(heapWaiters.indexOf(done), 1);
            reject(new Error(`${options.name} gave no heap report in ${waitMs} ms`));
          }, waitMs);
          const done = (report: HeapReport) => {
            clearTimeout(timer);
            resolve(report);
          };
          heapWaiters.push(done);
          child.kill('SIGUSR2');
        }),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Child entry helper: announce the URL on stdout in the line format `readyLine` parses. */
export function announceReady(url: string): void {
  process.stdout.write(`${JSON.stringify({ ready: url })}\n`);
}

export function readyLine(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as { ready?: unknown };
    return typeof parsed.ready === 'string' ? parsed.ready : undefined;
  } catch {
    return undefined;
  }
}

function heapLine(line: string): HeapReport | undefined {
  if (!line.startsWith('{"heapUsedMb"')) return undefined;
  try {
    return JSON.parse(line) as HeapReport;
  } catch {
    return undefined;
  }
}

/**
 * Child entry helper: on SIGUSR2, collect garbage fully and print the heap still in use and what
 * keeps the event loop alive, as one line `heapReport()` reads. Needs `--expose-gc`.
 */
export function reportHeapOnSignal(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('SIGUSR2', () => {
    // Twice: the first pass can leave objects that only a finalizer or weak callback released.
    gc?.();
    gc?.();
    const resources: Record<string, number> = {};
    for (const type of process.getActiveResourcesInfo()) resources[type] = (resources[type] ?? 0) + 1;
    const heapUsedMb = process.memoryUsage().heapUsed / 2 ** 20;
    process.stdout.write(`${JSON.stringify({ heapUsedMb, collected: gc !== undefined, resources })}\n`);
  });
}

/** Child entry helper: close cleanly on SIGTERM/SIGINT (the parent's `close()`). */
export function closeOnSignal(close: () => Promise<void>): void {
  const stop = () => {
    void close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
