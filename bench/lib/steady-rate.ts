/**
 * Open-loop load at a steady rate (issue 20's "added latency at a steady 500 requests/s"): one
 * request every 1/rate seconds whatever the answers do, each timed with `performance.now()`
 * (sub-millisecond, which autocannon's 1 ms histogram cannot give). A request still running when
 * the next is due does not delay it, so a system that falls behind shows it in its tail.
 */
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { type Summary, summarize } from './stats.ts';

export interface SteadyRateResult extends Summary {
  rate: number;
  sent: number;
  failed: number;
  firstError?: string;
  /** Requests per second actually started (the timer's own lag lowers it on a busy machine). */
  achievedRate: number;
}

export async function steadyRate(options: {
  url: string;
  headers: Record<string, string>;
  body: string;
  rate: number;
  durationS: number;
  /** Requests before the measured ones (JIT, pool), at the same rate. */
  warmup?: number;
}): Promise<SteadyRateResult> {
  const agent = new Agent({ connections: 256, keepAliveTimeout: 10_000, pipelining: 1 });
  const intervalMs = 1000 / options.rate;
  const warmup = options.warmup ?? Math.round(options.rate);
  const total = warmup + Math.round(options.rate * options.durationS);
  const latencies: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  const inFlight: Array<Promise<void>> = [];
  const one = async (measured: boolean) => {
    const t0 = performance.now();
    try {
      const res = await request(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: options.body,
        dispatcher: agent,
      });
      await res.body.text();
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
      if (measured) latencies.push(performance.now() - t0);
    } catch (err) {
      if (!measured) return;
      failed++;
      firstError ??= String(err instanceof Error ? err.message : err);
    }
  };
  const start = performance.now();
  let measuredStart = start;
  for (let i = 0; i < total; i++) {
    // Due times from the start, so a late tick does not shift every later request.
    const wait = start + i * intervalMs - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    if (i === warmup) measuredStart = performance.now();
    inFlight.push(one(i >= warmup));
  }
  const measuredEnd = performance.now();
  await Promise.all(inFlight);
  await agent.destroy();
  const sent = total - warmup;
  return {
    ...summarize(latencies),
    rate: options.rate,
    sent,
    failed,
    ...(firstError === undefined ? {} : { firstError }),
    achievedRate: sent / Math.max(0.001, (measuredEnd - measuredStart) / 1000),
  };
}
