/**
 * `outlast gateway --workers N`: the primary process forks N workers (worker-main.ts) that
 * serve one port (node:cluster hands them the connections in turn), keeps their breakers and
 * cooldowns in one place (src/state/cluster-hub.ts) unless Redis is configured, sums their
 * metrics for /metrics, passes reload and drain to all of them, and restarts a worker that
 * dies, with a backoff (restart-policy.ts). It serves no request itself.
 */
import cluster, { type Worker } from 'node:cluster';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client';
import type { LoggerLike } from '../../engine/index.ts';
import { OutlastError } from '../../errors/index.ts';
import { createStateHub, type StateChannel } from '../../state/index.ts';
import { type GatewayConfig, loadConfigFile } from '../config/index.ts';
import { defaultLogger, GATEWAY_DEFAULTS, type ReloadResult } from '../start-gateway.ts';
import {
  CONTROL_NS,
  isControl,
  type PrimaryMessage,
  type WorkerInfo,
  type WorkerMessage,
} from './protocol.ts';
import { createRestartPolicy, type RestartPolicyOptions } from './restart-policy.ts';

export interface GatewayClusterOptions {
  /** Worker processes; at least 1. */
  workers: number;
  /** The validated config every worker serves. */
  config: GatewayConfig;
  /** Read again on reload(); absent (a config object): reload is refused. */
  configPath?: string;
  port?: number;
  host?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** The primary's own log lines (workers log for themselves); default pino as the gateway's. */
  logger?: LoggerLike;
  restart?: RestartPolicyOptions;
  /** A worker's share of /metrics not in within this fails the scrape (503); default 2000 ms. */
  metricsTimeoutMs?: number;
  /** Every worker of the first start must listen within this, or the start fails; default 60 000 ms. */
  startupTimeoutMs?: number;
}

export interface GatewayCluster {
  readonly url: string;
  /** The workers serving now. */
  workers(): WorkerInfo[];
  /** Reads the config file again and has every worker serve it; a bad file is refused, all keep theirs. */
  reload(): Promise<ReloadResult>;
  /** Drains every worker (stop accepting, finish in flight up to `server.drainTimeoutMs`), then resolves `done`. */
  close(): Promise<void>;
  /** Ends every worker now (a second signal). */
  kill(): void;
  /** Once the cluster is over: code 0 after close() drained every worker; 1 when it gave up on workers that kept dying (reason says why), or a worker did not drain cleanly. */
  readonly done: Promise<{ code: number; reason?: string }>;
}

const here = fileURLToPath(import.meta.url);
// Beside this file, in the sources (.ts) or the build (.js).
const WORKER_ENTRY = fileURLToPath(new URL(`./worker-main${extname(here)}`, import.meta.url));

function channelOf(worker: Worker): StateChannel {
  return {
    send: (message) => worker.send(message),
    onMessage(listener) {
      worker.on('message', listener);
      return () => worker.off('message', listener);
    },
  };
}

interface Life {
  readonly slot: number;
  readonly worker: Worker;
  readonly startedAt: number;
  readyAt?: number;
  lastError?: string;
  detach(): void;
}

/**
 * What a worker (re)started after a reload serves: the reloaded config, but the parts that take
 * a restart (server.port/host, state, logging) as the first start had them, so it listens where
 * the others do and shares their state.
 */
export function configForStart(first: GatewayConfig, current: GatewayConfig): GatewayConfig {
  const { state: _state, logging: _logging, ...rest } = current;
  const { port: _port, host: _host, ...server } = current.server ?? {};
  return {
    ...rest,
    server: {
      ...server,
      ...(first.server?.port === undefined ? {} : { port: first.server.port }),
      ...(first.server?.host === undefined ? {} : { host: first.server.host }),
    },
    ...(first.state ? { state: first.state } : {}),
    ...(first.logging ? { logging: first.logging } : {}),
  };
}

export async function startGatewayCluster(options: GatewayClusterOptions): Promise<GatewayCluster> {
  if (!cluster.isPrimary) throw new Error('startGatewayCluster: call it in the primary process');
  if (!Number.isInteger(options.workers) || options.workers < 1)
    throw new OutlastError({
      kind: 'bad_request',
      message: `startGatewayCluster: workers must be a positive integer, got ${options.workers}`,
    });
  const logger = options.logger ?? defaultLogger(options.config);
  const policy = createRestartPolicy(options.restart);
  const metricsTimeoutMs = options.metricsTimeoutMs ?? 2000;
  const hub = createStateHub();
  let config = options.config;
  const startable = (c: GatewayConfig) => configForStart(options.config, c);
  const { port, host } = options;

  const registry = new Registry();
  const workersGauge = new Gauge({
    name: 'outlast_cluster_workers',
    help: 'Gateway worker processes serving (outlast gateway --workers N)',
    registers: [registry],
  });
  const restartsCounter = new Counter({
    name: 'outlast_cluster_worker_restarts_total',
    help: 'Gateway workers restarted after they died',
    registers: [registry],
  });

  cluster.setupPrimary({ exec: WORKER_ENTRY, args: [] });

  const lives = new Map<number, Life>(); // by worker id
  const restartTimers = new Set<NodeJS.Timeout>();
  let restarts = 0;
  let stopping = false;
  let exitCode = 0;
  let url: string | undefined;
  let finish: (result: { code: number; reason?: string }) => void = () => {};
  const done = new Promise<{ code: number; reason?: string }>((resolve) => {
    finish = resolve;
  });
  let startupFailed: ((reason: string) => void) | undefined;
  let startupReady: (() => void) | undefined;

  const serving = (): WorkerInfo[] =>
    [...lives.values()]
      .filter((l) => l.readyAt !== undefined)
      .map((l) => ({ id: l.worker.id, pid: l.worker.process.pid ?? 0, startedAt: l.startedAt }));
  const tell = (worker: Worker, message: PrimaryMessage) => {
    try {
      if (worker.isConnected()) worker.send(message);
    } catch {
      // It is going away; its exit is handled.
    }
  };
  const broadcastWorkers = () => {
    const workers = serving();
    workersGauge.set(workers.length);
    for (const l of lives.values())
      tell(l.worker, { ns: CONTROL_NS, t: 'workers', workers, size: options.workers, restarts });
  };

  // /metrics on any worker: every serving worker's metrics, summed, plus the primary's own.
  let nextCollect = 0;
  const collecting = new Map<number, { want: Set<number>; got: object[]; settle: () => void }>();
  const collectAll = async (): Promise<string> => {
    const id = nextCollect++;
    const targets = [...lives.values()].filter((l) => l.readyAt !== undefined && l.worker.isConnected());
    const want = new Set(targets.map((l) => l.worker.id));
    const got: object[] = [];
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      collecting.set(id, { want, got, settle: resolve });
      timer = setTimeout(resolve, metricsTimeoutMs);
      for (const l of targets) tell(l.worker, { ns: CONTROL_NS, t: 'collect-metrics', id });
      if (want.size === 0) resolve();
    });
    clearTimeout(timer);
    collecting.delete(id);
    if (want.size > 0)
      throw new Error(
        `workers ${[...want].join(', ')} did not send their metrics within ${metricsTimeoutMs} ms; a partial sum would read as counters going backwards`,
      );
    got.push(await registry.getMetricsAsJSON());
    return AggregatorRegistry.aggregate(got).metrics();
  };

  const onWorkerMessage = (life: Life, message: WorkerMessage) => {
    const { worker } = life;
    switch (message.t) {
      case 'ready':
        life.readyAt = Date.now();
        policy.onReady();
        // A restarted worker asks for the same port as given (0 too): node:cluster keys the
        // listening socket it shares by that, so asking for the port 0 became would bind it twice.
        url ??= message.url;
        broadcastWorkers();
        if (startupReady && serving().length === options.workers) startupReady();
        return;
      case 'failed':
        life.lastError = message.message;
        return;
      case 'reloaded':
        if (!message.applied)
          logger.error?.(
            { event: 'config_reload_refused', worker: worker.id, reason: message.reason },
            `worker ${worker.id} refused the reloaded config: ${message.reason}`,
          );
        return;
      case 'metrics':
        collectAll().then(
          (text) => tell(worker, { ns: CONTROL_NS, t: 'metrics-text', id: message.id, text }),
          (error: Error) =>
            tell(worker, { ns: CONTROL_NS, t: 'metrics-text', id: message.id, error: error.message }),
        );
        return;
      case 'collected-metrics': {
        const c = collecting.get(message.id);
        if (!c) return;
        c.got.push(message.metrics);
        c.want.delete(worker.id);
        if (c.want.size === 0) c.settle();
        return;
      }
    }
  };

  const giveUp = (reason: string) => {
    if (startupFailed) {
      startupFailed(reason);
      return;
    }
    logger.error?.({ event: 'cluster_gave_up', reason }, `stopping the gateway: ${reason}`);
    void stopAll(1, reason);
  };

  const fork = (slot: number) => {
    const worker = cluster.fork();
    const life: Life = { slot, worker, startedAt: Date.now(), detach: hub.attach(channelOf(worker)) };
    lives.set(worker.id, life);
    worker.on('message', (message: unknown) => {
      if (isControl<WorkerMessage>(message)) onWorkerMessage(life, message);
    });
    // An IPC write to a worker that just died; its exit is what counts.
    worker.on('error', () => {});
    worker.on('exit', (code, signal) => {
      life.detach();
      lives.delete(worker.id);
      for (const [id, c] of collecting)
        if (c.want.delete(worker.id) && c.want.size === 0) collecting.get(id)?.settle();
      broadcastWorkers();
      const how = signal ? `signal ${signal}` : `code ${code}`;
      if (stopping) {
        if (code !== 0) exitCode = 1;
        if (lives.size === 0) finish({ code: exitCode, ...(stopReason ? { reason: stopReason } : {}) });
        return;
      }
      const decision = policy.onExit(life, Date.now());
      if (decision.action === 'give_up') {
        giveUp(
          `${decision.reason}: worker ${worker.id} (pid ${worker.process.pid}) ${life.lastError ? `failed: ${life.lastError}` : `exited with ${how}`}`,
        );
        return;
      }
      restarts += 1;
      restartsCounter.inc();
      logger.warn(
        {
          event: 'worker_exited',
          worker: worker.id,
          pid: worker.process.pid,
          code,
          signal,
          restartInMs: decision.delayMs,
          ...(life.lastError ? { error: life.lastError } : {}),
        },
        `worker ${worker.id} (pid ${worker.process.pid}) exited with ${how}; restarting it in ${decision.delayMs} ms`,
      );
      const timer = setTimeout(() => {
        restartTimers.delete(timer);
        if (!stopping) fork(slot);
      }, decision.delayMs);
      restartTimers.add(timer);
    });
    tell(worker, {
      ns: CONTROL_NS,
      t: 'start',
      config: startable(config),
      ...(port === undefined ? {} : { port }),
      ...(host === undefined ? {} : { host }),
    });
  };

  let stopReason: string | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const stopAll = (code: number, reason?: string): Promise<void> => {
    if (!stopping) {
      stopping = true;
      exitCode = code;
      stopReason = reason;
      for (const timer of restartTimers) clearTimeout(timer);
      restartTimers.clear();
      for (const l of lives.values()) tell(l.worker, { ns: CONTROL_NS, t: 'drain' });
      // Each worker bounds its own drain; this bounds a worker that hangs anyway.
      const drainMs = config.server?.drainTimeoutMs ?? GATEWAY_DEFAULTS.drainTimeoutMs;
      killTimer = setTimeout(() => {
        exitCode = 1;
        for (const l of lives.values()) l.worker.process.kill('SIGKILL');
      }, drainMs + 10_000);
      killTimer.unref();
      if (lives.size === 0) finish({ code: exitCode, ...(reason ? { reason } : {}) });
    }
    return done.then(() => {
      clearTimeout(killTimer);
    });
  };

  const startupTimeoutMs = options.startupTimeoutMs ?? 60_000;
  let startupTimer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      startupReady = resolve;
      startupFailed = (reason) => reject(new Error(reason));
      // A worker that neither listens nor exits (a hung dependency) must not hang the start.
      startupTimer = setTimeout(() => {
        const waiting = [...lives.values()].filter((l) => l.readyAt === undefined).map((l) => l.worker.id);
        startupFailed?.(`workers ${waiting.join(', ')} did not listen within ${startupTimeoutMs} ms`);
      }, startupTimeoutMs);
      for (let slot = 0; slot < options.workers; slot++) fork(slot);
    });
    clearTimeout(startupTimer);
  } catch (error) {
    clearTimeout(startupTimer);
    startupFailed = undefined;
    await stopAll(1, error instanceof Error ? error.message : String(error));
    throw error;
  }
  startupFailed = undefined;
  startupReady = undefined;
  policy.started();
  logger.info?.(
    { event: 'cluster_started', url, workers: serving() },
    `outlast gateway: ${options.workers} workers serving ${url}`,
  );

  let seq = 0;
  return {
    url: url as string,
    workers: serving,
    async reload() {
      if (!options.configPath) {
        const reason = 'the gateway was started from a config object, not a file';
        logger.error?.({ event: 'config_reload_refused', reason }, `config reload refused: ${reason}`);
        return { applied: false, reason };
      }
      let next: GatewayConfig;
      try {
        next = await loadConfigFile(options.configPath, options.env);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        logger.error?.(
          { event: 'config_reload_refused', reason },
          `config reload refused, every worker keeps the current config: ${reason}`,
        );
        return { applied: false, reason };
      }
      if (JSON.stringify(next.server?.workers) !== JSON.stringify(config.server?.workers))
        logger.warn({ event: 'config_reloaded' }, 'server.workers changed and takes a restart to apply');
      // Workers restarted from now on start with it too.
      config = next;
      seq += 1;
      for (const l of lives.values()) tell(l.worker, { ns: CONTROL_NS, t: 'reload', config: next, seq });
      return { applied: true };
    },
    close: () => stopAll(0),
    kill() {
      stopping = true;
      exitCode = 1;
      for (const l of lives.values()) l.worker.process.kill('SIGKILL');
      if (lives.size === 0) finish({ code: 1 });
    },
    done,
  };
}
