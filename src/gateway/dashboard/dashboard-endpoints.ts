/**
 * GET /dashboard (the page), /dashboard/uplot.js|css (the chart library, from the installed
 * package) and /dashboard/events: an SSE stream of snapshots, one a second, for as long as the
 * page is open. A snapshot is the engine's per-target status, the dashboard feed's counts and
 * recent calls, tokens and cost from the metrics, and in words what outlast does about each target.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Counter, Registry } from 'prom-client';
import type { Engine, TargetStatus } from '../../engine/index.ts';
import type { DashboardFeed, TargetFeed } from '../../observe/dashboard-feed.ts';
import type { Handler } from '../server/middleware/compose.ts';
import { DASHBOARD_HTML } from './page.ts';

export interface DashboardContext {
  readonly engine: () => Engine;
  readonly feed: DashboardFeed;
  readonly registry: Registry;
  readonly isConfigured: (provider: string, model: string) => boolean;
  readonly startedAt: Date;
  readonly inFlight: () => number;
  readonly redact: (text: string) => string;
  /** While the gateway drains, open streams end so they do not hold the shutdown up. */
  readonly isDraining: () => boolean;
  /** Default 1000 ms. */
  readonly intervalMs?: number;
}

const EMPTY_FEED: TargetFeed = {
  errors: {},
  attempts: 0,
  successes: 0,
  retries: 0,
  fallbacksFrom: 0,
  continuations: 0,
  ttftMs: {},
  durationMs: {},
};

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** What outlast is doing about a target, in words. */
export function describeTarget(t: TargetStatus, feed: TargetFeed, now: number): string {
  const away = feed.lastFallbackTo ? `falling back to ${feed.lastFallbackTo}` : 'calls go to the next target';
  const lastKind = t.recentFailures.at(-1)?.kind;
  if (t.breaker === 'open' || t.providerBreaker === 'open') {
    const probe = t.breakerRetryAt === undefined ? '' : `; next probe in ${seconds(t.breakerRetryAt - now)}`;
    return `breaker open${lastKind ? ` after ${lastKind} errors` : ''}: ${away}${probe}`;
  }
  if (t.breaker === 'half_open' || t.providerBreaker === 'half_open')
    return 'breaker half-open: one probe call at a time decides whether it closes';
  if (t.cooldownUntil !== undefined && t.cooldownUntil > now)
    return `cooling down for ${seconds(t.cooldownUntil - now)}${lastKind ? ` (${lastKind})` : ''}: ${away}`;
  if (t.successRate !== undefined && t.successRate < 0.9)
    return `healthy breaker, but ${Math.round((1 - t.successRate) * 100)}% of recent attempts failed: retrying and falling back`;
  return t.recentAttempts === 0 ? 'no traffic yet' : 'healthy';
}

async function sums(registry: Registry, name: string, by: string) {
  const metric = registry.getSingleMetric(name) as Counter | undefined;
  const out = new Map<string, Record<string, number>>();
  if (!metric) return out;
  for (const v of (await metric.get()).values) {
    const key = `${v.labels['provider']}/${v.labels['model']}`;
    const row = out.get(key) ?? {};
    const k = String(v.labels[by]);
    row[k] = (row[k] ?? 0) + v.value;
    out.set(key, row);
  }
  return out;
}

export async function dashboardSnapshot(ctx: DashboardContext) {
  const engine = ctx.engine();
  const now = Date.now();
  const shown = (key: string) => {
    const slash = key.indexOf('/');
    return ctx.isConfigured(key.slice(0, slash), key.slice(slash + 1));
  };
  const feed = ctx.feed.snapshot(shown);
  const [tokens, cost] = await Promise.all([
    sums(ctx.registry, 'outlast_tokens_total', 'type'),
    sums(ctx.registry, 'outlast_cost_usd_total', 'kind'),
  ]);
  const targets = engine
    .status()
    .filter((t) => ctx.isConfigured(t.provider, t.model))
    .map((t, i) => {
      const f = feed.targets[t.key] ?? EMPTY_FEED;
      const tk = tokens.get(t.key) ?? {};
      const c = cost.get(t.key) ?? {};
      return {
        id: i,
        key: t.key,
        breaker: t.breaker === 'closed' ? t.providerBreaker : t.breaker,
        ...(t.breakerRetryAt === undefined ? {} : { breakerRetryAt: t.breakerRetryAt }),
        ...(t.cooldownUntil !== undefined && t.cooldownUntil > now ? { cooldownUntil: t.cooldownUntil } : {}),
        successRate: t.successRate,
        doing: ctx.redact(describeTarget(t, f, now)),
        lastFailure: t.recentFailures.at(-1) ? ctx.redact(t.recentFailures.at(-1)!.message) : undefined,
        ...f,
        tokens: {
          input: tk['input'] ?? 0,
          output: tk['output'] ?? 0,
          cacheRead: tk['cache_read'] ?? 0,
          cacheWrite: tk['cache_write'] ?? 0,
          wasted: tk['wasted'] ?? 0,
        },
        cost: { answer: c['answer'] ?? 0, wasted: c['wasted'] ?? 0 },
      };
    });
  return {
    at: now,
    startedAt: ctx.startedAt.toISOString(),
    inFlight: ctx.inFlight(),
    routes: engine.models().filter((m) => m.kind === 'route'),
    targets,
    recent: feed.recent,
  };
}

export function dashboardPage(): Handler {
  return async function dashboardPage(ctx) {
    ctx.res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(DASHBOARD_HTML),
      'cache-control': 'no-store',
      'content-security-policy':
        "default-src 'self'; img-src 'self' data:; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'",
    });
    ctx.res.end(DASHBOARD_HTML);
    return 200;
  };
}

const require = createRequire(import.meta.url);
let assets: { js: string; css: string } | undefined;
/** uPlot from the installed package, read once. */
export function dashboardAsset(kind: 'js' | 'css'): Handler {
  return async function dashboardAsset(ctx) {
    assets ??= {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
    const body = assets[kind];
    ctx.res.writeHead(200, {
      'content-type': kind === 'js' ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'public, max-age=3600',
    });
    ctx.res.end(body);
    return 200;
  };
}

/** The snapshot stream; ends when the page goes away. */
export function dashboardEvents(dash: DashboardContext): Handler {
  return async function dashboardEvents(ctx) {
    const { res } = ctx;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    const send = async () => {
      if (res.destroyed) return;
      if (dash.isDraining()) {
        res.end();
        return;
      }
      res.write(`data: ${JSON.stringify(await dashboardSnapshot(dash))}\n\n`);
    };
    await send();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => void send().catch(() => res.destroy()), dash.intervalMs ?? 1000);
      res.once('close', () => {
        clearInterval(timer);
        resolve();
      });
    });
    return 200;
  };
}
