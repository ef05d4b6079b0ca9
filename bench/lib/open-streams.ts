/**
 * Holds `count` streaming requests open through a gateway at once and samples the gateway
 * process's resident memory meanwhile: the "1,000 concurrent open streams" memory figure.
 */
import { Agent, request } from 'undici';
import type { Service } from './child.ts';

export interface OpenStreamsResult {
  requested: number;
  /** Streams that got a 200 and at least one body chunk while all were held. */
  opened: number;
  failed: number;
  firstError?: string;
  rssBeforeMb: number;
  peakRssMb: number;
  /** Highest VmRSS sampled while the streams were open. */
  sampledPeakMb: number;
}

export async function holdOpenStreams(options: {
  service: Service;
  url: string;
  headers: Record<string, string>;
  body: string;
  count: number;
  /** How long to wait for all streams to open, then how long to hold them. */
  openTimeoutMs: number;
  holdMs: number;
  /**
   * Opens the streams in waves of this many, 100 ms apart (default: all at once). Thousands of
   * connections at once overflow a listener's accept backlog (511 in Node), which resets the rest:
   * that measures the backlog, not what an open stream costs.
   */
  wave?: number;
}): Promise<OpenStreamsResult> {
  const agent = new Agent({ connections: options.count + 10, keepAliveTimeout: 1000 });
  const abort = new AbortController();
  const rssBeforeMb = (await options.service.rssKb()) / 1024;
  let opened = 0;
  let failed = 0;
  let firstError: string | undefined;
  let sampledPeakMb = rssBeforeMb;
  const sampler = setInterval(() => {
    void options.service.rssKb().then((kb) => {
      sampledPeakMb = Math.max(sampledPeakMb, kb / 1024);
    });
  }, 100);
  let allOpen: () => void = () => {};
  const allOpenPromise = new Promise<void>((resolve) => {
    allOpen = resolve;
  });
  const settle = () => {
    if (opened + failed >= options.count) allOpen();
  };
  const wave = options.wave ?? options.count;
  const streams = Array.from({ length: options.count }, async (_, i) => {
    const wait = Math.floor(i / wave) * 100;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (abort.signal.aborted) return;
    try {
      const res = await request(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: options.body,
        dispatcher: agent,
        signal: abort.signal,
      });
      if (res.statusCode !== 200) {
        const text = await res.body.text();
        failed++;
        firstError ??= `${res.statusCode} ${text.slice(0, 160)}`;
        settle();
        return;
      }
      let counted = false;
      for await (const _chunk of res.body) {
        if (!counted) {
          counted = true;
          opened++;
          settle();
        }
      }
    } catch (err) {
      if (!abort.signal.aborted) {
        failed++;
        firstError ??= String(err);
        settle();
      }
    }
  });
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, options.openTimeoutMs).unref());
  await Promise.race([allOpenPromise, timeout]);
  await new Promise((resolve) => setTimeout(resolve, options.holdMs));
  const peakRssMb = (await options.service.peakRssKb()) / 1024;
  clearInterval(sampler);
  abort.abort();
  await Promise.allSettled(streams);
  await agent.destroy();
  return { requested: options.count, opened, failed, firstError, rssBeforeMb, peakRssMb, sampledPeakMb };
}
