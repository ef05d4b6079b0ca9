/** Test helpers: a private redis-server we may stop and restart, and a unique key prefix. */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, Socket } from 'node:net';

/** The run's Redis (test/global-setup.ts starts a private one); never a default that may be shared. */
export function sharedRedisUrl(): string {
  const url = process.env.OUTLAST_TEST_REDIS;
  if (!url) {
    throw new Error(
      'OUTLAST_TEST_REDIS is not set: run the tests through vitest (test/global-setup.ts starts a private redis-server)',
    );
  }
  return url;
}

export function uniquePrefix(): string {
  return `outlast-test-${randomUUID().slice(0, 8)}`;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP: the server keeps its sockets open and answers nothing (a frozen Redis). */
  freeze(): void;
  /** SIGCONT after freeze(). */
  thaw(): void;
}

/** A redis-server of our own on a free port, so stopping it touches no other test. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    // A missing binary is reported below as "did not start", not as an unhandled error event.
    child.on('error', () => {});
    for (let i = 0; i < 200; i++) {
      if (await canConnect(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`redis-server did not start on ${port}`);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  const signal = (name: NodeJS.Signals) => {
    if (!child || child.exitCode !== null) throw new Error('redis-server is not running');
    child.kill(name);
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop: async () => {
      // A frozen server does not die of SIGKILL any later, but let it run its exit.
      if (child && child.exitCode === null) child.kill('SIGCONT');
      await stop();
    },
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
  };
}

export async function until(check: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}
