/**
 * Each phase timeout fires at its limit, not before, names its phase and limit, and leaves
 * no socket behind. Real time with small limits; the lower bounds are the assertions, the
 * phase names prove which timer fired.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OutlastError } from '../../src/errors/index.ts';
import { createTransport } from '../../src/transport/index.ts';
import type { StreamPart } from '../../src/wire/canonical/index.ts';
import {
  attemptScope,
  call,
  chunk,
  cleanup,
  collect,
  onTransport,
  rejection,
  sleep,
  sseHeaders,
  startHttp,
  startNet,
  startUnacceptingListener,
  type TestServer,
  usageChunk,
} from './support.ts';

afterEach(cleanup);

// Timers never fire early; a millisecond of clock granularity is all the slack needed.
const SLACK_MS = 3;

function expectTimeout(error: unknown, phase: string, limitMs: number) {
  expect(OutlastError.isInstance(error)).toBe(true);
  expect(error).toMatchObject({ kind: 'timeout', phase, limitMs, provider: 'test', model: 'm1' });
}

/** Every connection the server saw has been closed by the transport. */
async function expectAllClosed(server: TestServer) {
  expect(server.sockets.length).toBeGreaterThan(0);
  const closed = await Promise.race([
    Promise.all(server.sockets.map((s) => s.closed)).then(() => true),
    sleep(2000).then(() => false),
  ]);
  expect(closed).toBe(true);
}

/** Iterates until it throws, returning the error, what arrived before it and when. */
async function readUntilError(stream: AsyncIterable<StreamPart>) {
  const parts: StreamPart[] = [];
  const stamps: number[] = [];
  try {
    for await (const part of stream) {
      parts.push(part);
      stamps.push(performance.now());
    }
  } catch (e) {
    return { error: e, parts, stamps, at: performance.now() };
  }
  throw new Error('the stream ended without an error');
}

describe('connect timeout', () => {
  it('fires at its limit on a port whose accept queue is full (TCP handshake never completes)', async () => {
    const listener = await startUnacceptingListener();
    const transport = onTransport(createTransport());
    const t0 = performance.now();
    const error = await rejection(
      transport.stream(call(listener.url, attemptScope({ connect: 200, headers: 5000 }))),
    );
    expectTimeout(error, 'connect', 200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200 - SLACK_MS);
  });

  it('fires at its limit when the TLS handshake stalls, and destroys the socket', async () => {
    const silent = await startNet(() => undefined);
    const transport = onTransport(createTransport());
    const t0 = performance.now();
    const scope = attemptScope({ connect: 250, headers: 5000 });
    const error = await rejection(transport.stream(call(`https://127.0.0.1:${silent.port}`, scope)));
    expectTimeout(error, 'connect', 250);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(250 - SLACK_MS);
    await expectAllClosed(silent);
  });

  it('stops once the socket is connected: a slow answer is the headers phase, not connect', async () => {
    const server = await startHttp((_req, res) => {
      setTimeout(() => {
        res.writeHead(200, sseHeaders);
        res.end(chunk({ content: 'ok' }) + chunk({}, 'stop') + usageChunk);
      }, 400);
    });
    const transport = onTransport(createTransport());
    const upstream = await transport.stream(call(server.url, attemptScope({ connect: 150, headers: 2000 })));
    expect((await collect(upstream)).at(-1)?.type).toBe('message_stop');
  });
});

describe('headers timeout', () => {
  it('fires at its limit when the server takes the request and never answers, and closes the socket', async () => {
    const server = await startHttp(() => undefined);
    const transport = onTransport(createTransport());
    const t0 = performance.now();
    const error = await rejection(
      transport.stream(call(server.url, attemptScope({ connect: 2000, headers: 250 }))),
    );
    expectTimeout(error, 'headers', 250);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(250 - SLACK_MS);
    await expectAllClosed(server);
  });
});

describe('first-token timeout', () => {
  it('fires at its limit while only pings and empty deltas arrive', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, sseHeaders);
      res.write(chunk({ role: 'assistant', content: '' }));
      const ping = setInterval(() => {
        res.write(': ping\n\n');
        res.write(chunk({ content: '' }));
      }, 40);
      res.on('close', () => clearInterval(ping));
    });
    const transport = onTransport(createTransport());
    const upstream = await transport.stream(call(server.url, attemptScope({ firstToken: 300, idle: 5000 })));
    const t0 = performance.now();
    const { error, parts, at } = await readUntilError(upstream);
    expectTimeout(error, 'first_token', 300);
    expect(at - t0).toBeGreaterThanOrEqual(300 - SLACK_MS);
    expect(parts.map((p) => p.type)).toContain('message_start');
    await expectAllClosed(server);
  });

  it('does not fire once a first token arrived in time', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, sseHeaders);
      setTimeout(() => res.write(chunk({ content: 'first' })), 150);
      setTimeout(() => res.end(chunk({}, 'stop') + usageChunk + 'data: [DONE]\n\n'), 400);
    });
    const transport = onTransport(createTransport());
    const upstream = await transport.stream(call(server.url, attemptScope({ firstToken: 300, idle: 1000 })));
    expect((await collect(upstream)).at(-1)?.type).toBe('message_stop');
  });
});

describe('idle timeout', () => {
  it('fires at its limit after the last content part when the stream stalls', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, sseHeaders);
      res.write(chunk({ role: 'assistant', content: 'Hello' }));
      // Keep-alive comments do not count as progress.
      const ping = setInterval(() => res.write(': ping\n\n'), 40);
      res.on('close', () => clearInterval(ping));
    });
    const transport = onTransport(createTransport());
    const upstream = await transport.stream(call(server.url, attemptScope({ firstToken: 2000, idle: 250 })));
    const { error, parts, stamps, at } = await readUntilError(upstream);
    expectTimeout(error, 'idle', 250);
    const contentAt = stamps[parts.findIndex((p) => p.type === 'block_delta')];
    expect(contentAt).toBeDefined();
    expect(at - (contentAt ?? 0)).toBeGreaterThanOrEqual(250 - SLACK_MS);
    await expectAllClosed(server);
  });

  it('restarts on every content part: a slow but steady stream outlives many idle limits', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, sseHeaders);
      let n = 0;
      const tick = setInterval(() => {
        n++;
        if (n <= 6) res.write(chunk({ content: `t${n} ` }));
        else {
          clearInterval(tick);
          res.end(chunk({}, 'stop') + usageChunk + 'data: [DONE]\n\n');
        }
      }, 100);
      res.on('close', () => clearInterval(tick));
    });
    const transport = onTransport(createTransport());
    const upstream = await transport.stream(call(server.url, attemptScope({ firstToken: 300, idle: 300 })));
    const parts = await collect(upstream);
    expect(parts.filter((p) => p.type === 'block_delta')).toHaveLength(6);
  });
});

describe('attempt total timeout', () => {
  it('fires at its limit on a stream that keeps trickling', async () => {
    const server = await startHttp((_req, res) => {
      res.writeHead(200, sseHeaders);
      const tick = setInterval(() => res.write(chunk({ content: '.' })), 50);
      res.on('close', () => clearInterval(tick));
    });
    const transport = onTransport(createTransport());
    const t0 = performance.now();
    const upstream = await transport.stream(call(server.url, attemptScope({ idle: 1000, total: 450 })));
    const { error, parts, at } = await readUntilError(upstream);
    expectTimeout(error, 'total', 450);
    expect(at - t0).toBeGreaterThanOrEqual(450 - SLACK_MS);
    expect(parts.filter((p) => p.type === 'block_delta').length).toBeGreaterThan(1);
    await expectAllClosed(server);
  });
});
