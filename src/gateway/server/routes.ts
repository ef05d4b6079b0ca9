/**
 * The gateway's endpoints as data: a path (or a pattern), the dialect its errors are written
 * in, and its chain of middleware ending in a handler. To add an endpoint, add a row here.
 */
import type { Socket } from 'node:net';
import { OutlastError, SPECIFIC_CODES } from '../../errors/index.ts';
import type { KeyEntry } from '../config/hash-key.ts';
import {
  type DashboardContext,
  dashboardAsset,
  dashboardEvents,
  dashboardPage,
} from '../dashboard/dashboard-endpoints.ts';
import { type AdminContext, healthz, metrics, readyz, status } from './admin-endpoints.ts';
import { type Dialect, newRequestId, sendError } from './dialect.ts';
import { withClientHeaders } from './endpoints/client-headers.ts';
import { GEMINI_GENERATE_PATH, geminiCallDialect, geminiDialect } from './endpoints/gemini.ts';
import { GEMINI_EMBED_PATH, serveGeminiEmbeddings } from './endpoints/gemini-embeddings.ts';
import { RESPONSES_PATH, responsesDialect } from './endpoints/responses.ts';
import {
  MODEL_INFO_PATH,
  serveCountTokens,
  serveEmbeddings,
  serveModelInfo,
} from './endpoints/side-calls.ts';
import { sendJson } from './http-io.ts';
import type { ServerLimits } from './limits.ts';
import { adminKey, LOGIN_PATH } from './middleware/admin-key.ts';
import { allowMethods } from './middleware/allow-methods.ts';
import { gatewayKey } from './middleware/auth.ts';
import { type CallMetricsOptions, callMetrics } from './middleware/call-metrics.ts';
import { compose, type GatewayContext, type Handler } from './middleware/compose.ts';
import { connectionLimit } from './middleware/connection-limit.ts';
import { drain } from './middleware/drain.ts';
import { inFlightLimit } from './middleware/in-flight-limit.ts';
import { type ModelCallContext, serveModelCall } from './model-call.ts';
import { modelsList } from './models-list.ts';

export interface Route {
  /** An exact path (no trailing slash), or a pattern for paths with parameters in them. */
  readonly path: string | RegExp;
  /** The metrics label; default the path. A pattern route needs one (a label per path would grow without bound). */
  readonly label?: string;
  /** The route's own dialect; absent: guessed from the request. */
  readonly dialect?: Dialect;
  readonly handler: Handler;
}

export interface RouteContext {
  readonly dialects: { readonly anthropic: Dialect; readonly openai: Dialect };
  readonly keys: readonly KeyEntry[];
  readonly limits: ServerLimits;
  readonly isOverLimit: (socket: Socket) => boolean;
  readonly call: ModelCallContext;
  readonly admin: AdminContext;
  readonly callMetrics: CallMetricsOptions;
  readonly dashboard: Omit<DashboardContext, 'isDraining'>;
  /** Admin keys for the operator's endpoints; none: open. */
  readonly adminKeys: readonly string[];
}

export function createRoutes(context: RouteContext): Route[] {
  const { anthropic, openai } = context.dialects;
  const { admin } = context;
  const key = gatewayKey({ keys: context.keys });
  const draining = drain({ isDraining: admin.isDraining });
  // Health checks skip it: a load balancer must still see the instance alive when it is full.
  const connections = connectionLimit({
    maxConnections: context.limits.maxConnections,
    isOverLimit: context.isOverLimit,
  });
  const inFlight = inFlightLimit({ maxInFlight: context.limits.maxInFlight });
  const counted = callMetrics(context.callMetrics);
  /** A dialect, or a maker of one per request (a codec that remembers its request, or reads its path). */
  const modelCall = (dialect: Dialect | ((ctx: GatewayContext) => Dialect), auth = key): Handler =>
    compose([connections, allowMethods('POST'), auth, draining, inFlight, counted], (ctx) =>
      serveModelCall(ctx.req, ctx.res, typeof dialect === 'function' ? dialect(ctx) : dialect, context.call),
    );
  const adminAuth = adminKey({ hashes: context.adminKeys });
  const ops = (handler: Handler): Handler =>
    compose([connections, allowMethods('GET'), adminAuth.guard], handler);
  const health = (handler: Handler): Handler => compose([allowMethods('GET')], handler);
  return [
    {
      path: '/v1/messages',
      dialect: anthropic,
      handler: modelCall((ctx) => withClientHeaders(anthropic, ctx.req)),
    },
    {
      path: '/v1/chat/completions',
      dialect: openai,
      handler: modelCall((ctx) => withClientHeaders(openai, ctx.req)),
    },
    {
      path: RESPONSES_PATH,
      dialect: openai,
      handler: modelCall((ctx) => withClientHeaders(responsesDialect(), ctx.req)),
    },
    {
      path: GEMINI_GENERATE_PATH,
      label: '/v1beta/models/{model}:generateContent',
      dialect: geminiDialect,
      handler: modelCall(
        (ctx) => geminiCallDialect(ctx.req, ctx.path),
        gatewayKey({ keys: context.keys, queryParam: 'key' }),
      ),
    },
    {
      path: GEMINI_EMBED_PATH,
      label: '/v1beta/models/{model}:embedContent',
      dialect: geminiDialect,
      handler: compose(
        [
          connections,
          allowMethods('POST'),
          gatewayKey({ keys: context.keys, queryParam: 'key' }),
          draining,
          inFlight,
        ],
        (ctx) => serveGeminiEmbeddings(ctx.req, ctx.res, ctx.path, context.call),
      ),
    },
    {
      path: '/v1/embeddings',
      dialect: openai,
      handler: compose([connections, allowMethods('POST'), key, draining, inFlight], (ctx) =>
        serveEmbeddings(ctx.req, ctx.res, openai, context.call),
      ),
    },
    {
      path: '/v1/messages/count_tokens',
      dialect: anthropic,
      handler: compose([connections, allowMethods('POST'), key, draining, inFlight], (ctx) =>
        serveCountTokens(ctx.req, ctx.res, anthropic, context.call),
      ),
    },
    {
      path: '/v1/models',
      handler: compose([connections, allowMethods('GET'), key], async (ctx) => {
        sendJson(ctx.res, 200, modelsList(admin.engine, admin.startedAt));
        return 200;
      }),
    },
    // After the Gemini row: `/v1/models/x:generateContent` is Gemini's, any other `/v1/models/…` an id.
    {
      path: MODEL_INFO_PATH,
      label: '/v1/models/{id}',
      handler: compose([connections, allowMethods('GET'), key], async (ctx) =>
        serveModelInfo(ctx, admin.engine, admin.startedAt),
      ),
    },
    { path: '/healthz', handler: health(healthz()) },
    { path: '/readyz', handler: health(readyz(admin)) },
    { path: '/metrics', handler: ops(metrics(admin)) },
    { path: '/status', handler: ops(status(admin)) },
    { path: '/dashboard', handler: ops(dashboardPage()) },
    {
      path: '/dashboard/events',
      handler: ops(dashboardEvents({ ...context.dashboard, isDraining: admin.isDraining })),
    },
    {
      path: '/dashboard/uplot.js',
      handler: compose([connections, allowMethods('GET')], dashboardAsset('js')),
    },
    {
      path: '/dashboard/uplot.css',
      handler: compose([connections, allowMethods('GET')], dashboardAsset('css')),
    },
    {
      path: LOGIN_PATH,
      handler: compose([connections, allowMethods('GET', 'POST')], (ctx) => adminAuth.login(ctx, notCalled)),
    },
  ];
}

/** The `next` of a middleware used as a handler: it never calls it. */
const notCalled = (): Promise<number> => Promise.reject(new Error('the login handler has no next'));

/** The answer for a path no route serves: 404 in the guessed dialect. */
export function notFound(routes: readonly Route[]): Handler {
  const served = routes
    .filter((r) => typeof r.path === 'string' && r.path.startsWith('/v1/'))
    .map((r) => r.path)
    .join(', ');
  return async function notFound(ctx) {
    return sendError(
      ctx.res,
      ctx.dialect,
      new OutlastError({
        kind: 'not_found',
        status: 404,
        code: SPECIFIC_CODES.NO_ROUTE,
        message: `no such endpoint: ${ctx.method} ${ctx.path} (the gateway serves ${served})`,
      }),
      newRequestId(),
    );
  };
}
