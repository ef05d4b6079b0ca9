/**
 * What the dashboard shows, kept from engine events: per target the error kind mix, retries,
 * fallbacks away from it, continuations, TTFT and duration percentiles over the last calls,
 * tokens; and the recent failed or recovered calls with their attempt trail. Bounded: a ring of
 * samples per target and a short list of calls.
 */
import type { EngineEvent, Trace } from '../engine/events.ts';

const SAMPLES = 200;
const RECENT_CALLS = 20;

export interface TargetFeed {
  errors: Record<string, number>;
  attempts: number;
  successes: number;
  retries: number;
  fallbacksFrom: number;
  continuations: number;
  ttftMs: { p50?: number; p95?: number; p99?: number };
  durationMs: { p50?: number; p95?: number; p99?: number };
  lastFallbackTo?: string;
}

export interface RecentCall {
  requestId: string;
  at: number;
  outcome: Trace['outcome'];
  recovered: boolean;
  answeredBy?: string;
  durationMs: number;
  attempts: Array<{
    target: string;
    outcome: string;
    errorKind?: string;
    status?: number;
    waitedMs: number;
    durationMs: number;
    continuation: boolean;
  }>;
}

export interface DashboardFeed {
  attach(source: { on(listener: (event: EngineEvent) => void): () => void }): () => void;
  snapshot(isShown: (key: string) => boolean): { targets: Record<string, TargetFeed>; recent: RecentCall[] };
}

function pct(values: readonly number[]) {
  if (values.length === 0) return {};
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return { p50: at(50), p95: at(95), p99: at(99) };
}

export function createDashboardFeed(now: () => number = Date.now): DashboardFeed {
  const targets = new Map<
    string,
    Omit<TargetFeed, 'ttftMs' | 'durationMs'> & { ttft: number[]; duration: number[] }
  >();
  const recent: RecentCall[] = [];
  const of = (key: string) => {
    let t = targets.get(key);
    if (!t) {
      t = {
        errors: {},
        attempts: 0,
        successes: 0,
        retries: 0,
        fallbacksFrom: 0,
        continuations: 0,
        ttft: [],
        duration: [],
      };
      targets.set(key, t);
    }
    return t;
  };
  const push = (list: number[], v: number) => {
    list.push(v);
    if (list.length > SAMPLES) list.shift();
  };
  const remember = (trace: Trace) => {
    const recovered =
      trace.outcome !== 'error' && (trace.fallbacks > 0 || trace.retries > 0 || trace.continued);
    if (trace.outcome === 'success' && !recovered) return;
    recent.unshift({
      requestId: trace.requestId,
      at: now(),
      outcome: trace.outcome,
      recovered,
      ...(trace.answeredBy ? { answeredBy: `${trace.answeredBy.provider}/${trace.answeredBy.model}` } : {}),
      durationMs: Math.round(trace.durationMs),
      attempts: trace.attempts.map((a) => ({
        target: `${a.provider}/${a.model}`,
        outcome: a.outcome,
        ...(a.errorKind ? { errorKind: a.errorKind } : {}),
        ...(a.status === undefined ? {} : { status: a.status }),
        waitedMs: Math.round(a.waitedMs),
        durationMs: Math.round(a.durationMs),
        continuation: a.continuation === true,
      })),
    });
    if (recent.length > RECENT_CALLS) recent.pop();
  };
  const onEvent = (event: EngineEvent) => {
    switch (event.type) {
      case 'attempt_end': {
        const t = of(`${event.provider}/${event.model}`);
        t.attempts++;
        if (event.outcome === 'success') {
          t.successes++;
          push(t.duration, event.durationMs);
        } else if (event.errorKind) t.errors[event.errorKind] = (t.errors[event.errorKind] ?? 0) + 1;
        if (event.ttftMs !== undefined) push(t.ttft, event.ttftMs);
        if (event.continuation) t.continuations++;
        return;
      }
      case 'retry':
        of(`${event.provider}/${event.model}`).retries++;
        return;
      case 'fallback': {
        const t = of(`${event.from.provider}/${event.from.model}`);
        t.fallbacksFrom++;
        t.lastFallbackTo = `${event.to.provider}/${event.to.model}`;
        return;
      }
      case 'complete':
      case 'failed':
        remember(event.trace);
        return;
      default:
        return;
    }
  };
  return {
    attach: (source) => source.on(onEvent),
    snapshot(isShown) {
      const out: Record<string, TargetFeed> = {};
      for (const [key, t] of targets) {
        if (!isShown(key)) continue;
        const { ttft, duration, ...rest } = t;
        out[key] = { ...rest, errors: { ...rest.errors }, ttftMs: pct(ttft), durationMs: pct(duration) };
      }
      return { targets: out, recent: recent.slice() };
    },
  };
}
