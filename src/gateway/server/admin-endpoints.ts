/** The operator's endpoints: liveness, readiness, Prometheus metrics and the status page. */
import type { Registry } from 'prom-client';
import type { Engine } from '../../engine/index.ts';
import { redactValue } from '../../observe/redact.ts';
import type { SharedState } from '../../state/index.ts';
import type { ClusterStatus } from '../cluster/protocol.ts';
import { sendJson } from './http-io.ts';
import type { Handler } from './middleware/compose.ts';

export interface AdminContext {
  readonly engine: Engine;
  readonly state: SharedState;
  readonly registry: Registry;
  readonly redact: (text: string) => string;
  readonly startedAt: Date;
  readonly isDraining: () => boolean;
  readonly inFlight: () => number;
  /** Targets the config names: the only ones /status lists (any others share no state worth a row each). */
  readonly isConfigured: (provider: string, model: string) => boolean;
  /** In a worker of `--workers N`: every worker's metrics summed, and the workers. */
  readonly cluster?: { metrics(): Promise<string>; status(): ClusterStatus };
}

export function healthz(): Handler {
  return async function healthz(ctx) {
    sendJson(ctx.res, 200, { status: 'ok' });
    return 200;
  };
}

/** 503 while draining, so a load balancer stops sending here; `degraded` still serves. */
export function readyz(admin: AdminContext): Handler {
  return async function readyz(ctx) {
    const state = admin.state.health();
    const status = admin.isDraining() ? 503 : 200;
    const word = admin.isDraining() ? 'draining' : state.status === 'ok' ? 'ready' : 'degraded';
    sendJson(ctx.res, status, { status: word, state });
    return status;
  };
}

export function metrics(admin: AdminContext): Handler {
  return async function metrics(ctx) {
    let raw: string;
    try {
      raw = admin.cluster ? await admin.cluster.metrics() : await admin.registry.metrics();
    } catch (error) {
      // A partial sum would read as counters going backwards: say so instead.
      const reason = error instanceof Error ? error.message : String(error);
      sendJson(ctx.res, 503, { error: { type: 'metrics_unavailable', message: admin.redact(reason) } });
      return 503;
    }
    // Label values can come from upstreams (error types): scrubbed like every outgoing text.
    const text = admin.redact(raw);
    ctx.res.writeHead(200, { 'content-type': admin.registry.contentType });
    ctx.res.end(text);
    return 200;
  };
}

export function status(admin: AdminContext): Handler {
  return async function status(ctx) {
    // Failure messages (and anything else) may come from upstreams: every string is scrubbed.
    const page = {
      startedAt: admin.startedAt.toISOString(),
      inFlight: admin.inFlight(),
      state: admin.state.health(),
      ...(admin.cluster ? { cluster: admin.cluster.status() } : {}),
      routes: admin.engine.models().filter((m) => m.kind === 'route'),
      // Configured targets only: one row per model a client named would grow without bound.
      targets: admin.engine.status().filter((t) => admin.isConfigured(t.provider, t.model)),
    };
    sendJson(ctx.res, 200, redactValue(page, admin.redact, 24));
    return 200;
  };
}
