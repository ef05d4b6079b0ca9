/**
 * The gateway's HTTP server on node:http: routing, auth, admin endpoints, request logs and
 * a graceful close (stop accepting, let in-flight calls finish up to a drain deadline, then
 * cut what is left).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Engine, LoggerLike } from '../../engine/index.ts';
import { OutlastError } from '../../errors/index.ts';
import type { HttpMetrics } from '../../observe/metrics-http.ts';
import type { SharedState } from '../../state/index.ts';
import type { ServerCodec } from '../../wire/codec.ts';
import { type Authorize, createAuthorize } from './auth.ts';
import { createDialect, type Dialect, newRequestId, sendError } from './dialect.ts';
import { sendJson } from './http-io.ts';
import { type ModelCallContext, serveModelCall } from './model-call.ts';
import { modelsList } from './models-list.ts';

export interface GatewayServerOptions {
  engine: Engine;
  codecs: { anthropic: ServerCodec; openai: ServerCodec };
  /** `sha256:<hex>` hashes; empty: open. */
  keyHashes: readonly string[];
  bodyLimitBytes: number;
  keepAliveMs: number;
  drainTimeoutMs: number;
  redact: (text: string) => string;
  runInRoute: ModelCallContext['runInRoute'];
  state: SharedState;
  registry: Registry;
  httpMetrics: HttpMetrics;
  logger: LoggerLike;
  logRequests: boolean;
}

export interface GatewayServer {
  readonly server: Server;
  listen(port: number, host: string): Promise<string>;
  /** Stops accepting, drains in-flight calls up to the deadline, then cuts the rest. */
  close(): Promise<void>;
  /** Requests being served now. */
  inFlight(): number;
  /** Bytes written to responses and not yet taken by the kernel: what slow clients cost us. */
  bufferedBytes(): number;
}

const ENDPOINTS = new Set([
  '/v1/messages',
  '/v1/chat/completions',
  '/v1/models',
  '/healthz',
  '/readyz',
  '/metrics',
  '/status',
]);

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return (q === -1 ? url : url.slice(0, q)).replace(/\/+$/, '') || '/';
}

export function createGatewayServer(options: GatewayServerOptions): GatewayServer {
  const anthropic = createDialect('anthropic', options.codecs.anthropic);
  const openai = createDialect('openai', options.codecs.openai);
  const authorize: Authorize = createAuthorize(options.keyHashes);
  const startedAt = new Date();
  const active = new Set<ServerResponse>();
  let draining = false;

  const callContext: ModelCallContext = {
    engine: options.engine,
    bodyLimitBytes: options.bodyLimitBytes,
    keepAliveMs: options.keepAliveMs,
    redact: options.redact,
    runInRoute: options.runInRoute,
  };

  /** Anthropic's SDKs send `anthropic-version`; everyone else gets OpenAI's shape. */
  const guessDialect = (req: IncomingMessage, path: string): Dialect =>
    req.headers['anthropic-version'] !== undefined || path.startsWith('/v1/messages') ? anthropic : openai;

  const unauthorized = (res: ServerResponse, dialect: Dialect) =>
    sendError(
      res,
      dialect,
      new OutlastError({
        kind: 'auth',
        status: 401,
        code: 'OUTLAST_GATEWAY_KEY',
        message:
          'invalid or missing gateway key: send it as `Authorization: Bearer <key>` or `x-api-key: <key>`',
      }),
      newRequestId(),
    );

  const readiness = () => {
    const state = options.state.health();
    if (draining) return { status: 503, body: { status: 'draining', state } };
    return { status: 200, body: { status: state.status === 'ok' ? 'ready' : 'degraded', state } };
  };

  async function route(req: IncomingMessage, res: ServerResponse, path: string): Promise<number> {
    const method = req.method ?? 'GET';
    const modelDialect =
      path === '/v1/messages' ? anthropic : path === '/v1/chat/completions' ? openai : undefined;
    if (modelDialect) {
      if (method !== 'POST') return methodNotAllowed(res, modelDialect, 'POST');
      if (!authorize(req)) return unauthorized(res, modelDialect);
      if (draining) {
        return sendError(
          res,
          modelDialect,
          new OutlastError({
            kind: 'overloaded',
            status: 503,
            retryable: true,
            retryAfterMs: 1000,
            message: 'the gateway is shutting down; retry on another instance',
          }),
          newRequestId(),
          { connection: 'close' },
        );
      }
      return serveModelCall(req, res, modelDialect, callContext);
    }
    const known = ['/v1/models', '/healthz', '/readyz', '/metrics', '/status'].includes(path);
    if (known && method !== 'GET' && method !== 'HEAD')
      return methodNotAllowed(res, guessDialect(req, path), 'GET');
    switch (known ? path : '') {
      case '/v1/models': {
        const dialect = guessDialect(req, path);
        if (!authorize(req)) return unauthorized(res, dialect);
        sendJson(res, 200, modelsList(options.engine, startedAt));
        return 200;
      }
      case '/healthz':
        sendJson(res, 200, { status: 'ok' });
        return 200;
      case '/readyz': {
        const { status, body } = readiness();
        sendJson(res, status, body);
        return status;
      }
      case '/metrics': {
        const text = await options.registry.metrics();
        res.writeHead(200, { 'content-type': options.registry.contentType });
        res.end(text);
        return 200;
      }
      case '/status': {
        // Failure messages come from upstreams: scrubbed like every other outgoing text.
        const targets = options.engine.status().map((t) => ({
          ...t,
          recentFailures: t.recentFailures.map((f) => ({ ...f, message: options.redact(f.message) })),
        }));
        sendJson(res, 200, {
          startedAt: startedAt.toISOString(),
          inFlight: active.size,
          state: options.state.health(),
          routes: options.engine.models().filter((m) => m.kind === 'route'),
          targets,
        });
        return 200;
      }
      default: {
        const dialect = guessDialect(req, path);
        return sendError(
          res,
          dialect,
          new OutlastError({
            kind: 'not_found',
            status: 404,
            code: 'OUTLAST_NO_ROUTE',
            message: `no such endpoint: ${method} ${path} (the gateway serves POST /v1/messages, POST /v1/chat/completions, GET /v1/models)`,
          }),
          newRequestId(),
        );
      }
    }
  }

  function methodNotAllowed(res: ServerResponse, dialect: Dialect, allowed: string): number {
    return sendError(
      res,
      dialect,
      new OutlastError({ kind: 'bad_request', status: 405, message: `method not allowed; use ${allowed}` }),
      newRequestId(),
      { allow: allowed },
    );
  }

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const path = pathOf(req);
    const started = performance.now();
    // Known endpoints only: a label per arbitrary path would grow the registry without bound.
    const finish = options.httpMetrics.start(ENDPOINTS.has(path) ? path : 'other');
    active.add(res);
    if (draining) res.setHeader('connection', 'close');
    res.on('close', () => {
      active.delete(res);
      if (draining) server.closeIdleConnections();
    });
    route(req, res, path)
      .catch((error: unknown) => {
        // Nothing should get here; if it does, the client still gets an answer.
        if (!res.headersSent) {
          return sendError(
            res,
            guessDialect(req, path),
            OutlastError.isInstance(error)
              ? error
              : new OutlastError({
                  kind: 'server',
                  status: 500,
                  message: 'internal gateway error',
                  cause: error,
                }),
            newRequestId(),
          );
        }
        res.destroy();
        return 500;
      })
      .then((status) => {
        finish(status);
        if (options.logRequests && path.startsWith('/v1/')) {
          options.logger.info?.(
            {
              method: req.method,
              path,
              status,
              ms: Math.round(performance.now() - started),
              requestId: res.getHeader('x-outlast-request-id'),
              model: res.getHeader('x-outlast-model'),
              attempts: res.getHeader('x-outlast-attempts'),
            },
            'request',
          );
        }
      });
  });
  // A client error (bad HTTP) must not take the server down.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
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
    close() {
      closing ??= (async () => {
        draining = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = Date.now() + options.drainTimeoutMs;
        while (active.size > 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        if (active.size > 0) {
          options.logger.warn(
            { inFlight: active.size, drainTimeoutMs: options.drainTimeoutMs },
            'drain deadline passed: cutting the calls still in flight',
          );
        }
        await options.engine.close();
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
