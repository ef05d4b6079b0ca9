/**
 * Leak check: a fresh outlast gateway (`--expose-gc`) serves rounds of load against a mock whose
 * primary fails in every way the engine handles (529, 500, 429 with a hint, resets, cut and silent
 * streams), streamed and not, with a fallback. After a warm-up and after each round the gateway
 * collects its garbage and reports its heap and what keeps its loop alive. Retained state per call
 * (a request id kept in a map, a timer not cleared, a cooldown waiter never settled) grows the
 * heap round after round; a steady heap and the same handles once idle say nothing is kept.
 */
import type { HeapReport, Service } from '../lib/child.ts';
import { runLoad } from '../lib/load.ts';
import { startGatewayChild, startMockChild } from '../services/services.ts';

export const SOAK_MODELS = { primary: 'soak-primary', fallback: 'soak-fallback' } as const;

export function soakScenario(): unknown {
  const fast = { firstTokenMs: 0, tokenMs: 0, answerTokens: 64 };
  return {
    name: 'bench-soak',
    models: {
      [SOAK_MODELS.primary]: {
        ...fast,
        faults: [
          { fault: '529', probability: 0.1 },
          { fault: '500', probability: 0.05 },
          { fault: '429 retry-after=1', probability: 0.03 },
          { fault: 'reset', probability: 0.03 },
          { fault: 'cut after=8', probability: 0.05 },
          { fault: 'silence', probability: 0.02 },
        ],
      },
      [SOAK_MODELS.fallback]: { ...fast, faults: [{ fault: '500', probability: 0.05 }] },
    },
  };
}

export function soakGatewayConfig(mockUrl: string): object {
  return {
    providers: { mock: { type: 'openai', baseURL: `${mockUrl}/v1`, apiKey: 'bench-upstream-key' } },
    routes: { soak: [`mock/${SOAK_MODELS.primary}`, `mock/${SOAK_MODELS.fallback}`] },
    // Short budgets so a silent stream costs its call 300 ms, not the default profile's seconds.
    timeout: { connect: 1000, headers: 1000, firstToken: 300, idle: 300, total: 5000, deadline: 10_000 },
    logging: { level: 'error' },
  };
}

export interface SoakCheckpoint {
  /** What had run when the heap was read. */
  after: string;
  /** Gateway answers so far (any status), from autocannon. */
  requests: number;
  ok: number;
  heapUsedMb: number;
  resources: Record<string, number>;
}

export interface SoakResult {
  checkpoints: SoakCheckpoint[];
  /**
   * Heap growth from the first round's checkpoint to the last, per 1,000 requests served in
   * between (the warm-up's heap still holds what compiling and first use left).
   */
  growthKbPer1kRequests: number;
  /** Requests the mock received (its log's entries plus those it dropped past its limit). */
  upstreamAttempts?: number;
  /** Share of the log's last entries (it keeps a bounded number) that carried a fault. */
  faultedShare?: number;
  error?: string;
}

interface MockLogBody {
  entries: Array<{ model?: string; fault?: string }>;
  dropped: number;
}

/** How many requests reached the mock's models, and what share of the ones it kept were faulted. */
async function upstreamFaults(mockUrl: string): Promise<{ upstreamAttempts: number; faultedShare: number }> {
  const res = await fetch(`${mockUrl}/_mock/log`);
  const log = (await res.json()) as MockLogBody;
  const calls = log.entries.filter((e) => typeof e.model === 'string');
  return {
    upstreamAttempts: calls.length + log.dropped,
    faultedShare:
      calls.length > 0 ? calls.filter((e) => e.fault !== undefined).length / calls.length : Number.NaN,
  };
}

const body = (stream: boolean) =>
  JSON.stringify({
    model: 'soak',
    max_tokens: 64,
    stream,
    messages: [{ role: 'user', content: 'Say something about resilience.' }],
  });

export async function runSoak(options: {
  rounds: number;
  durationS: number;
  connections: number;
}): Promise<SoakResult> {
  const services: Service[] = [];
  const checkpoints: SoakCheckpoint[] = [];
  try {
    const mock = await startMockChild(soakScenario());
    services.push(mock);
    const gateway = await startGatewayChild(soakGatewayConfig(mock.url), ['--expose-gc']);
    services.push(gateway);
    const url = `${gateway.url}/v1/chat/completions`;
    let requests = 0;
    let ok = 0;
    const load = async (stream: boolean, durationS: number) => {
      const r = await runLoad({
        url,
        headers: {},
        body: body(stream),
        connections: options.connections,
        durationS,
        timeoutS: 15,
      });
      requests += r.ok + r.non2xx;
      ok += r.ok;
    };
    const checkpoint = async (after: string) => {
      // Let the last responses' sockets close before counting what is still open.
      await new Promise((r) => setTimeout(r, 1500));
      const report: HeapReport = await gateway.heapReport();
      checkpoints.push({ after, requests, ok, heapUsedMb: report.heapUsedMb, resources: report.resources });
    };
    await checkpoint('start');
    await load(false, 2);
    await load(true, 2);
    await checkpoint('warm-up');
    for (let round = 1; round <= options.rounds; round++) {
      await load(false, options.durationS);
      await load(true, options.durationS);
      await checkpoint(`round ${round}`);
    }
    const first = checkpoints[2]!;
    const last = checkpoints[checkpoints.length - 1]!;
    const served = last.requests - first.requests;
    return {
      checkpoints,
      ...(await upstreamFaults(mock.url)),
      growthKbPer1kRequests:
        served > 0 ? ((last.heapUsedMb - first.heapUsedMb) * 1024 * 1000) / served : Number.NaN,
    };
  } catch (err) {
    return {
      checkpoints,
      growthKbPer1kRequests: Number.NaN,
      error: String(err instanceof Error ? err.message : err),
    };
  } finally {
    await Promise.allSettled(services.map((s) => s.close()));
  }
}
