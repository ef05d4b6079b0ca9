/**
 * `startGateway()`: config → state store → engine (with chaos in its transport) → metrics and
 * logs → the HTTP server, listening. Returns its URL and a `close()` that drains.
 */
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createEngine, type Engine, type EngineDeps, type LoggerLike } from '../engine/index.ts';
import { OutlastError } from '../errors/index.ts';
import { createDashboardFeed } from '../observe/dashboard-feed.ts';
import { createRedactor, logEngineEvents, redactingLogger, secretsOf } from '../observe/logging.ts';
import { createEngineMetrics } from '../observe/metrics.ts';
import { createCallMetrics } from '../observe/metrics-calls.ts';
import { createHttpMetrics } from '../observe/metrics-http.ts';
import { type OtlpTracing, startOtlpTracing } from '../observe/otlp.ts';
import { createPrettyStream } from '../observe/pretty-log.ts';
import { createTracing } from '../observe/tracing.ts';
import { createState, type SharedState, type StateHealth } from '../state/index.ts';
import { createTransport } from '../transport/index.ts';
import { isPrefillRejection } from '../wire/anthropic/index.ts';
import type { ServerCodec } from '../wire/codec.ts';
import { anthropicCodec, codecFor, openaiCodec } from '../wire/index.ts';
import { createChaos } from './chaos.ts';
import type { ClusterMember } from './cluster/member.ts';
import {
  type GatewayConfig,
  type GatewayConfigInput,
  loadConfigFile,
  validateConfig,
} from './config/index.ts';
import { createGatewayServer, type GatewayServerOptions } from './server/create-server.ts';
import { createKnownModels } from './server/known-models.ts';
import { LIMIT_DEFAULTS, resolveLimits } from './server/limits.ts';

export const GATEWAY_DEFAULTS = {
  port: 4000,
  host: '127.0.0.1',
  drainTimeoutMs: 30_000,
  drainGraceMs: 1000,
  keepAliveMs: 10_000,
  ...LIMIT_DEFAULTS,
} as const;

export interface GatewayDeps extends Omit<EngineDeps, 'breakerStore' | 'cooldownStore'> {
  /** Server side codecs for the two endpoints. */
  serverCodecs: { anthropic: ServerCodec; openai: ServerCodec };
  /** For chaos sampling; default Math.random. */
  chaosRandom?: () => number;
  /** Whether the gateway's close() closes `transport` too; default true. */
  closeTransport?: boolean;
  /** Set in each worker of `outlast gateway --workers N` (cluster/worker-main.ts). */
  cluster?: ClusterMember;
}

export interface StartGatewayOptions {
  /** A config object (validated like the YAML), or... */
  config?: GatewayConfigInput;
  /** ...a YAML file. */
  configPath?: string;
  /** Overrides `server.port` (0: any free port). */
  port?: number;
  /** Overrides `server.host`. */
  host?: string;
  /** Default: pino on stdout at `logging.level`. */
  logger?: LoggerLike;
  env?: Readonly<Record<string, string | undefined>>;
}

export interface Gateway {
  readonly url: string;
  readonly config: GatewayConfig;
  readonly engine: Engine;
  readonly state: SharedState;
  /** Requests in flight and the response bytes buffered for slow clients. */
  stats(): { inFlight: number; bufferedBytes: number };
  /** Stops accepting, lets in-flight calls finish up to `server.drainTimeoutMs`, closes. */
  close(): Promise<void>;
  /**
   * Reads the config file again (SIGHUP), or takes `config` when given, and serves new requests
   * with it: providers, routes, keys, limits, policies. Calls already running finish as they
   * began. A config that does not load or validate is refused, logged with the reason, and the
   * current one stays.
   */
  reload(config?: GatewayConfigInput): Promise<ReloadResult>;
}

export interface ReloadResult {
  readonly applied: boolean;
  /** Why it was refused. */
  readonly reason?: string;
}

async function resolveConfig(options: StartGatewayOptions): Promise<GatewayConfig> {
  if (options.config && options.configPath) {
    throw new OutlastError({
      kind: 'bad_request',
      message: 'startGateway: pass config or configPath, not both',
    });
  }
  if (options.configPath) return loadConfigFile(options.configPath, options.env);
  if (options.config) return validateConfig(options.config, '(config object)');
  throw new OutlastError({
    kind: 'bad_request',
    message: 'startGateway: a config or a configPath is required',
  });
}

/** pino on stdout: JSON lines, or readable ones when `logging.pretty` or stdout is a terminal. */
export function defaultLogger(config: GatewayConfig): LoggerLike {
  const level = config.logging?.level ?? 'info';
  const pretty = config.logging?.pretty ?? process.stdout.isTTY === true;
  if (!pretty) return pino({ name: 'outlast-gateway', level });
  const color = process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined;
  return pino({ name: 'outlast-gateway', level }, createPrettyStream(process.stdout, { color }));
}

/** The password in a `redis://user:password@host` URL: a secret like the providers' keys. */
function redisSecrets(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password ? [password] : [];
  } catch {
    return [];
  }
}

/** Starts a gateway with explicit engine dependencies (transport, codecs). */
export async function startGatewayWith(options: StartGatewayOptions, deps: GatewayDeps): Promise<Gateway> {
  const config = await resolveConfig(options);
  const secretsFor = (cfg: GatewayConfig) => [...secretsOf(cfg.providers), ...redisSecrets(cfg.state?.redis)];
  let redactNow = createRedactor(secretsFor(config));
  // A reload brings new keys: every user of the redactor sees the current one.
  const redact = (text: string) => redactNow(text);
  // Every line goes through the redactor, whoever writes it.
  const logger: LoggerLike = redactingLogger(options.logger ?? defaultLogger(config), redact);

  const registry = new Registry();
  // process_* and nodejs_* (CPU, memory, event loop lag, GC, handles), as every Node service exports.
  collectDefaultMetrics({ register: registry });
  const httpMetrics = createHttpMetrics(registry);
  const onStateHealth = (health: StateHealth) => {
    httpMetrics.setStateDegraded(health.status === 'degraded');
    if (health.status === 'degraded') {
      logger.warn({ state: health }, 'shared state unreachable: running on local breaker state');
    } else {
      logger.info?.({ state: health }, 'shared state reachable');
    }
  };
  const {
    serverCodecs,
    chaosRandom: _unused,
    closeTransport = true,
    transport,
    cluster,
    ...engineDeps
  } = deps;
  // A cluster's workers share through the primary, unless Redis shares with other instances too.
  const state =
    cluster && !config.state?.redis ? cluster.createState() : createState(config.state, onStateHealth);
  if (config.state?.redis) await state.ready(2000);
  else if (cluster && !(await state.ready(2000))) onStateHealth(state.health());
  cluster?.provideMetrics(() => registry.getMetricsAsJSON());

  /** What a config makes: rebuilt whole on reload, beside the server, state and metrics that stay. */
  // The exporter is the process's, set up once from the first config (a reload keeps it).
  let otlp: OtlpTracing | undefined;
  if (config.telemetry?.otlp) {
    const o = config.telemetry.otlp;
    otlp = await startOtlpTracing({
      endpoint: o.endpoint,
      ...(o.serviceName ? { serviceName: o.serviceName } : {}),
      ...(o.headers ? { headers: o.headers } : {}),
    });
  }
  const buildGeneration = (cfg: GatewayConfig) => {
    const chaos = createChaos(cfg.chaos ?? [], deps.chaosRandom);
    const engine = createEngine(cfg, {
      ...engineDeps,
      ...(transport ? { transport: cfg.chaos?.length ? chaos.wrap(transport) : transport } : {}),
      breakerStore: state.breakerStore,
      cooldownStore: state.cooldownStore,
    });
    const knownModels = createKnownModels(engine, { allowAnyModel: cfg.allowAnyModel === true });
    const tracing = createTracing(engine, {
      ...(otlp ? { tracerProvider: otlp.tracerProvider } : {}),
      providerType: (provider) => cfg.providers[provider]?.type,
    });
    return { config: cfg, chaos, engine, knownModels, tracing };
  };
  let current: ReturnType<typeof buildGeneration>;
  try {
    current = buildGeneration(config);
  } catch (error) {
    await state.close();
    throw error;
  }
  // Created once (they register in the registry); what they ask goes to the current generation.
  const metrics = createEngineMetrics(registry, {
    isConfigured: (provider, model) => current.knownModels.isConfigured(provider, model),
  });
  const callMetrics = createCallMetrics(registry, {
    models: (model) => current.engine.settings.models(model),
    isConfigured: (provider, model) => current.knownModels.isConfigured(provider, model),
  });
  // One feed across reloads: the page keeps its counts when the config changes.
  const dashboardFeed = createDashboardFeed();
  const attach = (engine: Engine) => [
    dashboardFeed.attach(engine),
    metrics.attach(engine),
    logEngineEvents(engine, logger, { calls: false }),
  ];
  let detach = [current.tracing.detach, ...attach(current.engine)];

  const serverOptions = (gen: typeof current): GatewayServerOptions => ({
    engine: gen.engine,
    codecs: serverCodecs,
    keys: (gen.config.keys ?? []).map((k) =>
      typeof k === 'string' ? { hash: k } : { hash: k.hash, ...(k.name ? { name: k.name } : {}) },
    ),
    limits: resolveLimits(gen.config.server),
    keepAliveMs: gen.config.server?.keepAliveMs ?? GATEWAY_DEFAULTS.keepAliveMs,
    drainTimeoutMs: gen.config.server?.drainTimeoutMs ?? GATEWAY_DEFAULTS.drainTimeoutMs,
    drainGraceMs: gen.config.server?.drainGraceMs ?? GATEWAY_DEFAULTS.drainGraceMs,
    redact,
    runInRoute: (route, fn) => gen.chaos.run(route, fn),
    knownModels: gen.knownModels,
    tracing: gen.tracing,
    dashboardFeed,
    adminKeys: gen.config.admin?.keys ?? [],
    callMetrics,
    state,
    registry,
    httpMetrics,
    logger,
    logRequests: gen.config.logging?.requests ?? true,
    ...(cluster ? { cluster } : {}),
  });
  const server = createGatewayServer(serverOptions(current));
  if (cluster) {
    // Which worker answered: one header, so a client or a test can tell them apart.
    const id = String(cluster.workerId);
    server.server.prependListener('request', (_req, res) => res.setHeader('x-outlast-worker', id));
  }
  const port = options.port ?? config.server?.port ?? GATEWAY_DEFAULTS.port;
  const host = options.host ?? config.server?.host ?? GATEWAY_DEFAULTS.host;
  let url: string;
  try {
    url = await server.listen(port, host);
  } catch (error) {
    await current.engine.close();
    if (transport && closeTransport) await transport.close();
    await state.close();
    throw error;
  }

  if (!config.keys?.length) {
    logger.warn(
      { url },
      'NO GATEWAY KEYS CONFIGURED: the gateway is OPEN and anyone who can reach it spends your provider quota. Add `keys:` (make one with `outlast hash-key`).',
    );
  }
  if (!config.admin?.keys.length) {
    logger.warn(
      { endpoints: ['/metrics', '/status', '/dashboard'] },
      'no admin keys configured: /metrics, /status and /dashboard are open to anyone who can reach the gateway. Add `admin: { keys: [...] }` (make one with `outlast hash-key`).',
    );
  }
  if (config.chaos?.length) {
    logger.warn({ chaos: config.chaos }, 'CHAOS IS ON: faults are injected into live traffic');
  }
  logger.info?.(
    {
      url,
      routes: Object.keys(config.routes ?? {}),
      providers: Object.keys(config.providers),
      state: state.health().backend,
    },
    'outlast gateway listening',
  );

  const refuse = (reason: string): ReloadResult => {
    logger.error?.(
      { event: 'config_reload_refused', reason },
      `config reload refused, keeping the current config: ${reason}`,
    );
    return { applied: false, reason };
  };
  let reloading: Promise<ReloadResult> | undefined;
  const reload = async (given?: GatewayConfigInput): Promise<ReloadResult> => {
    if (!given && !options.configPath)
      return refuse('the gateway was started from a config object, not a file');
    let next: GatewayConfig;
    let gen: typeof current;
    try {
      next = given
        ? validateConfig(given, '(reloaded config)')
        : await loadConfigFile(options.configPath as string, options.env);
      gen = buildGeneration(next);
    } catch (error) {
      return refuse(error instanceof Error ? error.message : String(error));
    }
    const needRestart = (['state', 'logging'] as const).filter(
      (part) => JSON.stringify(next[part]) !== JSON.stringify(current.config[part]),
    );
    if (
      next.server?.port !== current.config.server?.port ||
      next.server?.host !== current.config.server?.host
    )
      needRestart.push('server.port/host' as never);
    const old = current;
    current = gen;
    redactNow = createRedactor(secretsFor(next));
    const oldDetach = detach;
    detach = [gen.tracing.detach, ...attach(gen.engine)];
    logger.info?.(
      {
        event: 'config_reloaded',
        routes: Object.keys(next.routes ?? {}),
        providers: Object.keys(next.providers),
        ...(needRestart.length ? { notApplied: needRestart } : {}),
      },
      needRestart.length
        ? `config reloaded; ${needRestart.join(', ')} changed and take a restart to apply`
        : 'config reloaded',
    );
    // Calls begun under the old config finish on its engine; then it goes.
    await server.reconfigure(serverOptions(gen));
    await old.engine.close();
    for (const off of oldDetach) off();
    return { applied: true };
  };

  let closing: Promise<void> | undefined;
  return {
    url,
    get config() {
      return current.config;
    },
    get engine() {
      return current.engine;
    },
    state,
    stats: () => ({ inFlight: server.inFlight(), bufferedBytes: server.bufferedBytes() }),
    reload(given) {
      // One at a time: a second SIGHUP while one applies waits for it, then reads the file again.
      const next = () => reload(given);
      const run = (reloading ?? Promise.resolve()).then(next, next);
      reloading = run;
      return run;
    },
    close() {
      closing ??= (async () => {
        await server.close();
        for (const off of detach) off();
        await otlp?.shutdown();
        if (transport && closeTransport) await transport.close();
        await state.close();
      })();
      return closing;
    },
  };
}

/**
 * Starts a gateway on the real transport and codecs: `startGateway({ configPath })` or
 * `startGateway({ config, port: 0 })`. Resolves once it listens.
 */
export function startGateway(options: StartGatewayOptions): Promise<Gateway> {
  return startGatewayWith(options, {
    transport: createTransport(),
    codecFor,
    isPrefillRejection,
    serverCodecs: { anthropic: anthropicCodec, openai: openaiCodec },
  });
}
