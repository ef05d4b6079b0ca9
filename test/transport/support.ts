/** Real loopback servers and scopes for the transport tests; everything opened here is closed by `cleanup()`. */
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { createDeadline, type Deadline, type PhaseBudgets } from '../../src/policy/deadline.ts';
import type { Transport, UpstreamCall } from '../../src/transport/index.ts';
import type { ClientCodec, UpstreamRequestSpec } from '../../src/wire/codec.ts';
import { openaiCodec } from '../../src/wire/openai/index.ts';

export interface TestServer {
  url: string;
  port: number;
  /** Server-side sockets; `closed` resolves when the peer (our transport) closes or resets it. */
  sockets: { socket: net.Socket; closed: Promise<void> }[];
  close(): Promise<void>;
}

const closers: (() => Promise<void> | void)[] = [];

export async function cleanup(): Promise<void> {
  for (const close of closers.splice(0).reverse()) await close();
}

function track(server: net.Server): TestServer['sockets'] {
  const sockets: TestServer['sockets'] = [];
  server.on('connection', (socket: net.Socket) => {
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    sockets.push({ socket, closed });
  });
  return sockets;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

function closer(server: net.Server, sockets: TestServer['sockets']) {
  return async () => {
    for (const { socket } of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

export async function startHttp(handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handler);
  const sockets = track(server);
  const port = await listen(server);
  const close = closer(server, sockets);
  closers.push(close);
  return { url: `http://127.0.0.1:${port}`, port, sockets, close };
}

/** A raw TCP server: for answers no HTTP server would send (resets, silence, half a response). */
export async function startNet(onSocket: (socket: net.Socket) => void): Promise<TestServer> {
  const server = net.createServer((socket) => {
    socket.resume();
    onSocket(socket);
  });
  const sockets = track(server);
  const port = await listen(server);
  const close = closer(server, sockets);
  closers.push(close);
  return { url: `http://127.0.0.1:${port}`, port, sockets, close };
}

/** A deadline for one test; its scopes are disposed by `cleanup()`. */
export function attemptScope(budgets: PhaseBudgets = {}, options: { signal?: AbortSignal } = {}) {
  const deadline: Deadline = createDeadline(options.signal ? { signal: options.signal } : {});
  closers.push(() => deadline.dispose());
  return deadline.attempt(budgets, { provider: 'test', model: 'm1' });
}

export function onTransport(transport: Transport): Transport {
  closers.push(() => transport.close());
  return transport;
}

export const chatSpec: UpstreamRequestSpec = {
  path: '/chat/completions',
  body: { model: 'm1', stream: true, messages: [{ role: 'user', content: 'hi' }] },
  headers: {},
};

export function call(
  baseURL: string,
  scope: UpstreamCall['scope'],
  codec: ClientCodec = openaiCodec,
  request: UpstreamRequestSpec = chatSpec,
): UpstreamCall {
  return { target: { provider: 'test', model: 'm1', baseURL, apiKey: 'sk-test', codec }, request, scope };
}

/** One OpenAI chunk as an SSE frame. */
export function chunk(delta: Record<string, unknown>, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm1', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

export const usageChunk = `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm1', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } })}\n\n`;

export const sseHeaders = { 'content-type': 'text/event-stream', 'x-request-id': 'req_123' };

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A loopback port whose accept queue is full: connecting to it hangs (see unaccepting-listener.ts). */
export async function startUnacceptingListener(): Promise<{ url: string; port: number }> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('./unaccepting-listener.ts', import.meta.url))],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const fillers: net.Socket[] = [];
  closers.push(() => {
    for (const s of fillers) s.destroy();
    child.kill('SIGKILL');
  });
  const port = await new Promise<number>((resolve) =>
    child.stdout.once('data', (d) => resolve(Number(String(d).trim()))),
  );
  await sleep(100);
  // Fill the queue until a connect stays pending: the kernel's exact slack varies.
  for (let i = 0; i < 16; i++) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    fillers.push(socket);
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 150);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!connected) return { url: `http://127.0.0.1:${port}`, port };
  }
  throw new Error('could not fill the accept queue');
}
