/**
 * The gateway's HTTP server on node:http: each request goes through the request log and its
 * route's chain of middleware (routes.ts, middleware/); this file owns the server's life: the
 * requests in flight, and a graceful close (stop accepting, let in-flight calls finish up to
 * a drain deadline, then cut what is left).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, Server as NetServer, type Socket } from 'node:net';
import type { Registry } from 'prom-client';
import type { Engine, LoggerLike } from '../../engine/index.ts';
import { OutlastError } from '../../errors/index.ts';
import type { DashboardFeed } from '../../observe/dashboard-feed.ts';
import type { CallMetrics } from '../../observe/metrics-calls.ts';
import type { HttpMetrics } from '../../observe/metrics-http.ts';
import type { Tracing } from '../../observe/tracing.ts';
import type { SharedState } from '../../state/index.ts';
import type { ServerCodec } from '../../wire/codec.ts';
import type { KeyEntry } from '../config/hash-key.ts';
import type { AdminContext } from './admin-endpoints.ts';
import { createBodyBudget } from './body-budget.ts';
import { answerFor, writeClientError } from './client-error.ts';
import { createConnectionTracker } from './connections.ts';
import { createDialect, type Dialect } from './dialect.ts';
import { withSdkFieldsCodec } from './endpoints/anthropic-sdk-fields.ts';
import { readJsonBody } from './http-io.ts';
import type { KnownModels } from './known-models.ts';
import type { ServerLimits } from './limits.ts';
import { compose, type GatewayContext, type Handler } from './middleware/compose.ts';
import { OVERLOAD_RETRY_AFTER_MS } from './middleware/overload.ts';
import { requestLog } from './middleware/request-log.ts';
import type { ModelCallContext } from './model-call.ts';
import { createRoutes, notFound, type Route } from './routes.ts';
import { checkToolSchemaDepth } from './tool-schema-depth.ts';

export interface GatewayServerOptions {
  engine: Engine;
  codecs: { anthropic: ServerCodec; openai: ServerCodec };
  /** Client keys (`sha256:<hex>` hashes, with a name when given); empty: open. */
  keys: readonly KeyEntry[];
  limits: ServerLimits;
  /** A keep-alive event on a quiet stream after this long. */
  keepAliveMs: number;
  drainTimeoutMs: number;
  /** On close, how long idle connections stay open to answer 503 + retry-after; ended early when none is left. */
  drainGraceMs: number;
  redact: (text: string) => string;
  runInRoute: ModelCallContext['runInRoute'];
  /** The model names served (known-models.ts). */
  knownModels: KnownModels;
  callMetrics: CallMetrics;
  tracing?: Tracing;
  /** What the dashboard shows, kept from the engine's events. */
  dashboardFeed: DashboardFeed;
  /** Admin keys (`sha256:<hex>`) for /metrics, /status and /dashboard; empty: open. */
  adminKeys: readonly string[];
  state: SharedState;
  registry: Registry;
  httpMetrics: HttpMetrics;
  logger: LoggerLike;
  logRequests: boolean;
  /** In a worker of `--workers N`: /metrics sums every worker's, /status lists them. */
  cluster?: AdminContext['cluster'];
}

export interface GatewayServer {
  readonly server: Server;
  listen(port: number, host: string): Promise<string>;
  /** Stops accepting, drains in-flight calls up to the deadline, then cuts the rest. */
  close(): Promise<void>;
  /**
   * Serves new requests with `next` (SIGHUP: providers, routes, keys, limits); the requests
   * already being served finish as they began. Resolves once they have (or at the drain
   * deadline), when the old engine may be closed.
   */
  reconfigure(next: GatewayServerOptions): Promise<void>;
  /** Requests being served now. */
  inFlight(): number;
  /** Bytes written to responses and not yet taken by the kernel: what slow clients cost us. */
  bufferedBytes(): number;
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return (q === -1 ? url : url.slice(0, q)).replace(/\/+$/, '') || '/';
}

/** Exact paths by map lookup, then the patterns in order, then the 404. */
function createRouter(routes: readonly Route[], guessDialect: (ctx: GatewayContext) => Dialect) {
  const exact = new Map<string, Route>();
  for (const route of routes) if (typeof route.path === 'string') exact.set(route.path, route);
  const patterns = routes.filter((r) => r.path instanceof RegExp);
  const fallback = notFound(routes);
  const find = (path: string) => exact.get(path) ?? patterns.find((r) => (r.path as RegExp).test(path));
  const router: Handler = (ctx) => {
    const route = find(ctx.path);
    if (route === undefined) return fallback(ctx);
    ctx.dialect = route.dialect ?? guessDialect(ctx);
    return route.handler(ctx);
  };
  const endpointLabel = (path: string) => {
    const route = find(path);
    return route?.label ?? (typeof route?.path === 'string' ? route.path : 'other');
  };
  return { router, endpointLabel };
}

export function createGatewayServer(options: GatewayServerOptions): GatewayServer {
  const anthropic = createDialect('anthropic', withSdkFieldsCodec(options.codecs.anthropic));
  const openai = createDialect('openai', options.codecs.openai);
  /** Anthropic's SDKs send `anthropic-version`; everyone else gets OpenAI's shape. */
  const guessDialect = (ctx: GatewayContext): Dialect =>
    ctx.req.headers['anthropic-version'] !== undefined || ctx.path.startsWith('/v1/messages')
      ? anthropic
      : openai;
  const { limits } = options;
  const active = new Set<ServerResponse>();
  let draining = false;
  const connections = createConnectionTracker(limits.maxConnections);

  /** The request handler for one configuration: rebuilt whole by reconfigure() (SIGHUP). */
  const startedAt = new Date();
  function build(o: GatewayServerOptions): Handler {
    // One budget per configuration: bodies already held under the old one give back to it.
    const budget = createBodyBudget(o.limits.largeBodyBudgetBytes);
    const routes = createRoutes({
      dialects: { anthropic, openai },
      keys: o.keys,
      limits: o.limits,
      isOverLimit: connections.isOverLimit,
      call: {
        engine: o.engine,
        readBody: (req, res) =>
          readJsonBody(req, { limit: o.limits.bodyLimitBytes, maxDepth: o.limits.maxJsonDepth, budget, res }),
        checkRequest: (request) => checkToolSchemaDepth(request, o.limits.maxToolSchemaDepth),
        keepAliveMs: o.keepAliveMs,
        redact: o.redact,
        runInRoute: o.runInRoute,
        refuseModel: o.knownModels.refuse,
        ...(o.tracing ? { tracing: o.tracing } : {}),
      },
      admin: {
        engine: o.engine,
        state: o.state,
        registry: o.registry,
        redact: o.redact,
        startedAt,
        isDraining: () => draining,
        inFlight: () => active.size,
        isConfigured: o.knownModels.isConfigured,
        ...(o.cluster ? { cluster: o.cluster } : {}),
      },
      adminKeys: o.adminKeys,
      dashboard: {
        engine: () => o.engine,
        feed: o.dashboardFeed,
        registry: o.registry,
        isConfigured: o.knownModels.isConfigured,
        startedAt,
        inFlight: () => active.size,
        redact: o.redact,
      },
      callMetrics: { metrics: o.callMetrics, routeLabel: o.knownModels.routeLabel },
    });
    const { router, endpointLabel } = createRouter(routes, guessDialect);
    return compose(
      [
        requestLog({
          logger: o.logger,
          httpMetrics: o.httpMetrics,
          logRequests: o.logRequests,
          endpointLabel,
        }),
      ],
      router,
    );
  }
  let current = options;
  let handle = build(options);

  const server = createServer(
    {
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      maxHeaderSize: limits.maxHeaderBytes,
      // node checks the two timeouts every this often (30 s by default, which doubles a short one).
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    (req, res) => {
      active.add(res);
      if (draining || connections.isOverLimit(req.socket)) res.setHeader('connection', 'close');
      res.on('close', () => {
        active.delete(res);
        if (draining) server.closeIdleConnections();
      });
      const ctx: GatewayContext = {
        req,
        res,
        path: pathOf(req),
        method: req.method ?? 'GET',
        dialect: openai,
      };
      ctx.dialect = guessDialect(ctx);
      void handle(ctx);
    },
  );
  connections.watch(server);
  // Bad HTTP (oversized or malformed headers, slow headers or bodies) is answered in JSON and
  // never takes the server down. Nothing is written over a response already under way.
  server.on('clientError', (error: Error & { code?: string }, socket) => {
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    const answer = answerFor(error, current.limits, inFlight !== undefined);
    if (answer && socket.writable && !inFlight?.headersSent) writeClientError(socket, answer);
    else socket.destroy();
  });

  let closing: Promise<void> | undefined;
  return {
    server,
    inFlight: () => active.size,
    bufferedBytes() {
      let total = 0;
      for (const res of active) total += res.writableLength + (res.socket?.writableLength ?? 0);
      return total;
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shown}:${address.port}`);
        });
      });
    },
    async reconfigure(next) {
      const before = [...active];
      current = next;
      handle = build(next);
      server.keepAliveTimeout = next.limits.keepAliveTimeoutMs;
      server.requestTimeout = next.limits.requestTimeoutMs;
      server.headersTimeout = next.limits.headersTimeoutMs;
      // Read when a connection's parser is made: new connections get the new size.
      (server as Server & { maxHeaderSize?: number }).maxHeaderSize = next.limits.maxHeaderBytes;
      connections.setMax(next.limits.maxConnections);
      const deadline = Date.now() + next.drainTimeoutMs;
      while (before.some((res) => active.has(res)) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    close() {
      closing ??= (async () => {
        draining = true;
        // Stop accepting, but not through http's close(), which also closes idle keep-alive
        // connections at once: a client reusing one from its pool would meet a reset. Kept
        // open through the grace, they answer 503 + retry-after + connection: close instead.
        const closed = new Promise<void>((resolve) =>
          NetServer.prototype.close.call(server, () => resolve()),
        );
        const started = Date.now();
        const deadline = started + current.drainTimeoutMs;
        const graceUntil = started + Math.min(current.drainGraceMs, current.drainTimeoutMs);
        const waiting = () =>
          (active.size > 0 && Date.now() < deadline) || (connections.open() > 0 && Date.now() < graceUntil);
        while (waiting()) await new Promise((resolve) => setTimeout(resolve, 25));
        if (active.size > 0) {
          current.logger.warn(
            { inFlight: active.size, drainTimeoutMs: current.drainTimeoutMs },
            'drain deadline passed: cutting the calls still in flight',
          );
        }
        // Calls still running end with a retryable error (a stream with the dialect's error
        // event), so the client retries elsewhere rather than taking a cut for a failure.
        await current.engine.close(
          new OutlastError({
            kind: 'overloaded',
            status: 503,
            retryable: true,
            retryAfterMs: OVERLOAD_RETRY_AFTER_MS,
            message: `the gateway is shutting down and its drain deadline (${current.drainTimeoutMs} ms, server.drainTimeoutMs) passed; retry on another instance`,
          }),
        );
        // Their error events are written on the next ticks: a moment for them to leave.
        const flushUntil = Date.now() + 1000;
        while (active.size > 0 && Date.now() < flushUntil)
          await new Promise((resolve) => setTimeout(resolve, 10));
        server.closeAllConnections();
        // http's own close() now, for what it tidies (its timeout checker); the listener is already closed.
        server.close();
        await closed;
      })();
      return closing;
    },
  };
}
