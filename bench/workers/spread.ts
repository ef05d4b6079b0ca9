/**
 * How long a transition takes from one `--workers` worker's store to another's: two real
 * node:cluster workers with the cluster state store (spread-worker.ts) and this process as the
 * primary with the hub, as `outlast gateway --workers 2` wires them. This process tells worker 1
 * to set a cooldown and times, on its own clock, until worker 2 says the entry is in its store:
 * four IPC hops (here → 1, 1 → hub, hub → 2, 2 → here) where a transition takes the middle two,
 * so an upper bound with one clock. One at a time: the hops, not a queue.
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { createStateHub } from '../../src/state/index.ts';

export interface SpreadResult {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function measureSpread(samples = 200): Promise<SpreadResult> {
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./spread-worker.ts', import.meta.url)), args: [] });
  const hub = createStateHub();
  const workers: Worker[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const worker = cluster.fork();
      workers.push(worker);
      hub.attach({
        send: (message) => worker.send(message),
        onMessage(listener) {
          worker.on('message', listener);
          return () => worker.off('message', listener);
        },
      });
      await new Promise<void>((resolve) =>
        worker.on('message', (m: { bench?: string }) => m.bench === 'ready' && resolve()),
      );
    }
    const [from, to] = workers as [Worker, Worker];
    const spreads: number[] = [];
    for (let i = 0; i < samples; i++) {
      const key = `bench/target-${i}`;
      const started = performance.now();
      const seen = new Promise<number>((resolve) => {
        const onMessage = (m: { bench?: string; key?: string }) => {
          if (m.bench !== 'seen' || m.key !== key) return;
          to.off('message', onMessage);
          resolve(performance.now() - started);
        };
        to.on('message', onMessage);
      });
      from.send({ bench: 'set', key });
      spreads.push(await seen);
    }
    spreads.sort((a, b) => a - b);
    const at = (q: number) =>
      spreads[Math.min(spreads.length - 1, Math.floor(q * spreads.length))] ?? Number.NaN;
    return { samples, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: spreads.at(-1) ?? Number.NaN };
  } finally {
    for (const worker of workers) worker.process.kill('SIGKILL');
  }
}
