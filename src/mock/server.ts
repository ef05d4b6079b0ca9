/**
 * The mock provider's HTTP server (node:http, no framework: it has to take thousands of
 * requests a second). Provider requests go codec → canonical → plan → codec; faults are
 * picked per request; control endpoints live under `/_mock/`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Clock } from '../policy/clock.ts';
import { realClock } from '../policy/clock.ts';
import type { WireFormat } from '../wire/canonical/index.ts';
import type { ServerCodec } from '../wire/codec.ts';
import { type ControlContext, handleControl, listModels } from './control.ts';
import { handleCountTokens } from './count-tokens.ts';
import { handleEmbeddings } from './embeddings.ts';
import { createFaultPicker, type FaultPicker } from './fault-picker.ts';
import { type GenerateContext, handleGenerate } from './generate.ts';
import { hashId } from './hash.ts';
import { sendJson } from './http-io.ts';
import { createMockLog, type MockLog, type MockLogEntry } from './mock-log.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { routeOf } from './routes.ts';
import type { Scenario } from './scenario.ts';
import { createStoredResponses } from './stored-responses.ts';
import type { RunHandle } from './write-stream.ts';

export { FAULT_HEADER } from './generate.ts';

export interface MockServerOptions {
  scenario: Scenario;
  seed?: number;
  /** The clock of time windows (latency timers are always real). */
  clock?: Clock;
  codecs: Readonly<Record<WireFormat, ServerCodec>>;
  logLimit?: number;
  /** Swaps the scenario from `POST /_mock/scenario`; throws ScenarioError when invalid. */
  loadScenario: (body: unknown) => Scenario;
}

export interface MockServer {
  readonly server: Server;
  readonly picker: FaultPicker;
  log(): MockLogEntry[];
  reset(): void;
  setScenario(scenario: Scenario): void;
  /** Stops every timer and destroys every open socket (hung and stalled ones included). */
  destroyAll(): void;
}

export function createMockServer(options: MockServerOptions): MockServer {
  const clock = options.clock ?? realClock;
  const picker = createFaultPicker({ scenario: options.scenario, seed: options.seed, clock });
  const log: MockLog = createMockLog(options.logLimit);
  const limiter = createRateLimiter();
  const running = new Set<RunHandle>();
  // How many continuations of each shape each model has answered, per header text (for `times=`).
  const continuations = new Map<string, number>();
  const countContinuation = (key: string): number => {
    const n = (continuations.get(key) ?? 0) + 1;
    continuations.set(key, n);
    return n;
  };
  let seq = 0;

  const track = (handle: RunHandle, res: ServerResponse): void => {
    running.add(handle);
    res.once('close', () => {
      handle.stop();
      running.delete(handle);
    });
  };

  const newEntry = (req: IncomingMessage, format: WireFormat | undefined): MockLogEntry => {
    seq++;
    return {
      seq,
      time: new Date(clock.now()).toISOString(),
      elapsedMs: picker.elapsedMs(),
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      format,
      model: undefined,
      attempt: undefined,
      fault: undefined,
      faultSource: undefined,
      rule: undefined,
      continuation: undefined,
      continuationMatched: undefined,
      continuationBehaviour: undefined,
      stream: false,
      status: undefined,
      tokensSent: 0,
      disconnected: false,
      durationMs: undefined,
      requestId: `req_011C${hashId(20, picker.seed, 'req', seq)}`,
      error: undefined,
    };
  };

  /** Watches the response: status, duration, and whether the client left before the end. */
  const watch = (res: ServerResponse, entry: MockLogEntry, started: number): { intentional(): void } => {
    let intended = false;
    res.once('close', () => {
      entry.durationMs = Math.round(performance.now() - started);
      if (res.headersSent) entry.status = res.statusCode;
      if (!res.writableFinished && !intended) entry.disconnected = true;
    });
    return {
      intentional: () => {
        intended = true;
      },
    };
  };

  const stored = createStoredResponses();

  const control: ControlContext = {
    picker,
    log,
    requests: () => seq,
    inFlight: () => running.size,
    reset: () => reset(),
    setScenario: (scenario) => setScenario(scenario),
    loadScenario: options.loadScenario,
  };

  const generate: GenerateContext = {
    codecs: options.codecs,
    picker,
    clock,
    log,
    limiter,
    newEntry,
    watch,
    countContinuation,
    track,
    stored,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const route = routeOf(req.method ?? 'GET', req.url ?? '/', req.headers);
    switch (route.type) {
      case 'control':
        return handleControl(control, req, res, route.action);
      case 'models': {
        const entry = newEntry(req, route.format);
        log.add(entry);
        watch(res, entry, performance.now());
        listModels(picker, res, route.format);
        return;
      }
      case 'generate':
        return handleGenerate(req, res, route, generate);
      case 'count_tokens': {
        const entry = newEntry(req, 'anthropic');
        log.add(entry);
        watch(res, entry, performance.now());
        return handleCountTokens(req, res, {
          picker,
          entry,
          codec: options.codecs.anthropic,
          now: clock.now(),
        });
      }
      case 'embeddings': {
        const format = route.gemini ? 'gemini' : 'openai';
        const entry = newEntry(req, format);
        log.add(entry);
        const watcher = watch(res, entry, performance.now());
        return handleEmbeddings(req, res, {
          picker,
          entry,
          codec: options.codecs[format],
          now: clock.now(),
          intentional: watcher.intentional,
          ...(route.gemini ? { gemini: route.gemini } : {}),
        });
      }
      case 'unknown':
        sendJson(res, 404, {
          error: { type: 'not_found_error', message: `outlast mock: no endpoint ${req.method} ${req.url}` },
        });
    }
  };

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { type: 'mock_error', message: String(error) } });
      else res.destroy();
    });
  });

  function reset(): void {
    picker.reset();
    continuations.clear();
    stored.clear();
    limiter.reset();
    log.clear();
    seq = 0;
  }

  function setScenario(scenario: Scenario): void {
    // A seed given at start wins over the new scenario's own, as it did over the first one's.
    picker.setScenario(scenario, options.seed);
    continuations.clear();
    limiter.reset();
  }

  return {
    server,
    picker,
    log: () => log.entries(),
    reset,
    setScenario,
    destroyAll() {
      for (const handle of running) handle.stop();
      running.clear();
      server.closeAllConnections();
    },
  };
}
