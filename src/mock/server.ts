/**
 * The mock provider's HTTP server (node:http, no framework: it has to take thousands of
 * requests a second). Provider requests go codec → canonical → plan → codec; faults are
 * picked per request; control endpoints live under `/_mock/`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { OutlastError } from '../errors/index.ts';
import type { Clock } from '../policy/clock.ts';
import { realClock } from '../policy/clock.ts';
import type { CanonicalRequest, WireFormat } from '../wire/canonical/index.ts';
import type { ServerCodec } from '../wire/codec.ts';
import { planToParts, planToResponse } from './answer-parts.ts';
import { type AnswerPlan, continuationShape, planAnswer } from './answer-plan.ts';
import {
  CONTINUATION_HEADER,
  type ContinuationConfig,
  ContinuationSpecError,
  parseContinuationSpec,
} from './continuation-spec.ts';
import { type ControlContext, handleControl, listModels } from './control.ts';
import { handleCountTokens } from './count-tokens.ts';
import { handleEmbeddings } from './embeddings.ts';
import { createFaultPicker, type FaultPicker } from './fault-picker.ts';
import { type FaultPlan, planFaults } from './fault-plan.ts';
import {
  FaultSpecError,
  formatFault,
  formatFaults,
  type HttpFault,
  type ParsedFaultSpec,
  parseFaultSpec,
} from './fault-spec.ts';
import { hashId, hashUnit } from './hash.ts';
import {
  encodeHttpFault,
  encodeOwnError,
  limitedMessage,
  limiterHeaders,
  streamFaultError,
  type WireError,
} from './http-errors.ts';
import { jsonHeaders, readBody, sendJson, sendWire, sseHeaders } from './http-io.ts';
import { createMockLog, type MockLog, type MockLogEntry } from './mock-log.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { type Route, routeOf } from './routes.ts';
import type { Scenario } from './scenario.ts';
import { type RunHandle, runSteps, type Step, streamSteps } from './write-stream.ts';

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

export const FAULT_HEADER = 'x-mock-fault';

const ID_PREFIX: Readonly<Record<WireFormat, (id: string) => string>> = {
  anthropic: (id) => `msg_01${id.slice(0, 22)}`,
  openai: (id) => `chatcmpl-${id.slice(0, 29)}`,
  gemini: (id) => id.slice(0, 22),
};

/** Headers added to an answer (the limiter's); the answer's own win. */
type ExtraHeaders = Readonly<Record<string, string>> | undefined;

const withExtra = (headers: Record<string, string>, extra: ExtraHeaders): Record<string, string> =>
  extra ? { ...extra, ...headers } : headers;

const wireWithExtra = (wire: WireError, extra: ExtraHeaders): WireError =>
  extra ? { ...wire, headers: withExtra(wire.headers, extra) } : wire;

function badRequest(format: WireFormat, message: string): OutlastError {
  return new OutlastError({
    kind: 'bad_request',
    status: 400,
    provider: format,
    message,
    providerMessage: message,
  });
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

  const control: ControlContext = {
    picker,
    log,
    requests: () => seq,
    inFlight: () => running.size,
    reset: () => reset(),
    setScenario: (scenario) => setScenario(scenario),
    loadScenario: options.loadScenario,
  };

  const respondAnswer = (
    res: ServerResponse,
    ctx: {
      entry: MockLogEntry;
      format: WireFormat;
      codec: ServerCodec;
      request: CanonicalRequest;
      model: string;
      plan: AnswerPlan;
      faults: FaultPlan;
      stream: boolean;
      geminiArray: boolean;
      intentional: () => void;
      /** The limiter's headers, sent with the answer. */
      headers: ExtraHeaders;
    },
  ): void => {
    const { entry, format, codec, request, model, plan, faults, intentional } = ctx;
    const ids = { id: ID_PREFIX[format](hashId(29, picker.seed, 'id', entry.seq)), model };
    const outcome = faults.outcome;
    const hasTool = plan.blocks.some((b) => b.type === 'tool_use');
    const onTokens = (n: number) => {
      entry.tokensSent += n;
    };
    if (ctx.stream) {
      const encoder = codec.createStreamEncoder({
        model,
        ...(request.includeUsage === undefined ? {} : { includeUsage: request.includeUsage }),
      });
      const steps = streamSteps({
        parts: planToParts(plan, ids),
        encoder,
        faults,
        format,
        errorEvent: () =>
          codec.encodeStreamError(
            streamFaultError(
              outcome?.type === 'error_event' ? (outcome.error ?? 'overloaded') : 'overloaded',
              format,
              model,
              entry.requestId,
            ),
          ),
      });
      if (
        outcome?.type === 'cut' ||
        outcome?.type === 'cut_before_stop' ||
        outcome?.type === 'cut_after_stop' ||
        (outcome?.type === 'cut_in_tool' && hasTool)
      )
        intentional();
      res.writeHead(200, withExtra(sseHeaders(format, entry.requestId), ctx.headers));
      entry.status = 200;
      track(runSteps(res, steps, { onTokens, onDone: () => {} }), res);
      return;
    }
    // Not streamed: the whole answer after the time it would take to generate.
    if (outcome?.type === 'error_event') {
      const status = { overloaded: 529, rate_limited: 429, server: 500 }[outcome.error ?? 'overloaded'];
      const wire = encodeHttpFault(
        { type: 'http', status },
        { format, codec, model, requestId: entry.requestId, now: clock.now() },
      );
      sendWire(res, wireWithExtra(wire, ctx.headers));
      return;
    }
    const encoded = codec.encodeResponse(planToResponse(plan, ids), { model });
    const body = JSON.stringify(ctx.geminiArray ? [encoded] : encoded);
    const headers = withExtra(jsonHeaders(format, entry.requestId), ctx.headers);
    // Headers go out with the body, not before: a slow non-streamed answer is a slow header.
    let delay = faults.firstTokenMs + faults.tokenMs * plan.outputTokens;
    const steps: Step[] = [];
    if (outcome?.type === 'stall') {
      if (outcome.ms === undefined) steps.push({ type: 'freeze' });
      else delay += outcome.ms;
    }
    if (delay > 0) steps.unshift({ type: 'wait', ms: delay });
    // Cut inside the answer (not past its end): half the JSON, then the socket destroyed.
    const cutInside =
      outcome?.type === 'cut' ||
      outcome?.type === 'cut_before_stop' ||
      (outcome?.type === 'cut_in_tool' && hasTool);
    if (outcome?.type === 'cut_after_stop') {
      // The whole body went out; only the connection's orderly end is lost.
      intentional();
      steps.push(
        { type: 'head', status: 200, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        { type: 'write', text: body, tokens: plan.outputTokens },
        { type: 'cut' },
      );
    } else if (cutInside) {
      intentional();
      steps.push(
        { type: 'head', status: 200, headers },
        { type: 'write', text: body.slice(0, Math.floor(body.length / 2)), tokens: 0 },
        { type: 'cut' },
      );
    } else if (outcome?.type === 'malformed') {
      const half = body.slice(0, Math.floor(body.length / 2));
      steps.push(
        { type: 'head', status: 200, headers: { ...headers, 'content-length': Buffer.byteLength(half) } },
        { type: 'write', text: half, tokens: 0 },
        { type: 'end' },
      );
    } else {
      steps.push(
        { type: 'head', status: 200, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        { type: 'write', text: body, tokens: plan.outputTokens },
        { type: 'end' },
      );
    }
    track(runSteps(res, steps, { onTokens, onDone: () => {} }), res);
  };

  const handleGenerate = async (
    req: IncomingMessage,
    res: ServerResponse,
    route: Extract<Route, { type: 'generate' }>,
  ): Promise<void> => {
    const started = performance.now();
    const { format } = route;
    const codec = options.codecs[format];
    const entry = newEntry(req, format);
    log.add(entry);
    const watcher = watch(res, entry, started);
    const own = (error: OutlastError, message: string) => {
      entry.error = message;
      sendWire(res, encodeOwnError(codec, format, error, entry.requestId));
    };

    let raw: unknown;
    try {
      raw = JSON.parse((await readBody(req)).toString('utf8'));
    } catch (error) {
      const message = `invalid JSON in the request body: ${error instanceof Error ? error.message : String(error)}`;
      own(badRequest(format, message), message);
      return;
    }
    let request: CanonicalRequest;
    try {
      request = codec.decodeRequest(raw, {
        ...(route.pathModel === undefined ? {} : { pathModel: route.pathModel }),
        ...(route.pathStream === undefined ? {} : { pathStream: route.pathStream }),
      });
    } catch (error) {
      const e = OutlastError.isInstance(error)
        ? error
        : badRequest(format, error instanceof Error ? error.message : String(error));
      own(e, e.providerMessage ?? e.message);
      return;
    }
    const model = request.model;
    const stream = route.pathStream === true ? route.geminiSse === true : request.stream === true;
    entry.model = model;
    entry.stream = stream;

    let header: (ParsedFaultSpec & { text: string }) | undefined;
    const headerText = req.headers[FAULT_HEADER];
    if (typeof headerText === 'string' && headerText.trim() !== '') {
      try {
        header = { ...parseFaultSpec(headerText), text: headerText.trim() };
      } catch (error) {
        const message = error instanceof FaultSpecError ? error.message : String(error);
        own(badRequest(format, `${FAULT_HEADER}: ${message}`), message);
        return;
      }
    }
    let continuationHeader: ContinuationConfig | undefined;
    const continuationText = req.headers[CONTINUATION_HEADER];
    if (typeof continuationText === 'string' && continuationText.trim() !== '') {
      try {
        continuationHeader = parseContinuationSpec(continuationText);
      } catch (error) {
        const message = error instanceof ContinuationSpecError ? error.message : String(error);
        own(badRequest(format, `${CONTINUATION_HEADER}: ${message}`), message);
        return;
      }
    }
    const shape = continuationShape(request);
    entry.continuation = shape;
    const config = picker.model(model);
    const now = clock.now();
    const wireContext = { format, codec, model, requestId: entry.requestId, now };

    // The limiter is the provider's front door: it answers before any fault rule or header
    // fault is drawn, and a request it refuses takes no token.
    let extra: ExtraHeaders;
    if (config.rateLimit && config.known) {
      const limit = config.rateLimit;
      const decision = limiter.take(model, limit, now);
      extra = limiterHeaders(format, decision, now);
      if (!decision.allowed) {
        entry.attempt = picker.countAttempt(model);
        const waitMs = Math.max(1, decision.nextTokenMs);
        const fault: HttpFault = {
          type: 'http',
          status: 429,
          retryAfter: Math.ceil(waitMs / 1000),
          ...(limit.retryAfterMs ? { retryAfterMs: waitMs } : {}),
          message: limitedMessage(format, model, limit, waitMs),
        };
        entry.fault = formatFault(fault);
        entry.faultSource = 'limiter';
        entry.rule = limit.source;
        sendWire(res, wireWithExtra(encodeHttpFault(fault, wireContext), extra));
        return;
      }
    }

    const pick = picker.pick(model, header, shape === undefined ? 'first' : 'continuation');
    entry.attempt = pick.attempt;
    const faults = planFaults(pick.faults, config);
    if (pick.faults.length > 0) {
      entry.fault = formatFaults(pick.faults);
      entry.faultSource = pick.source;
      entry.rule = pick.rule;
    }
    const outcome = faults.outcome;

    if (!config.known && outcome === undefined) {
      sendWire(res, encodeHttpFault({ type: 'http', status: 404 }, wireContext));
      return;
    }
    switch (outcome?.type) {
      case 'http':
        sendWire(res, wireWithExtra(encodeHttpFault(outcome, wireContext), extra));
        return;
      case 'reset':
        watcher.intentional();
        req.socket.resetAndDestroy();
        return;
      case 'hang':
        return;
      case 'silence':
        res.writeHead(
          200,
          withExtra(
            stream ? sseHeaders(format, entry.requestId) : jsonHeaders(format, entry.requestId),
            extra,
          ),
        );
        res.flushHeaders();
        entry.status = 200;
        return;
    }

    const plan = planAnswer(request, {
      model,
      config,
      seed: picker.seed,
      // Behaviours drawn by chance vary per attempt, as fault draws do: a retried continuation may differ.
      draw: hashUnit(picker.seed, model, pick.attempt, 'continuation'),
      ...(shape === undefined
        ? {}
        : {
            nth: countContinuation(
              `${model}\u0000${shape}\u0000${typeof continuationText === 'string' ? continuationText.trim() : ''}`,
            ),
          }),
      ...(continuationHeader === undefined ? {} : { continuation: continuationHeader }),
    });
    if (plan.kind === 'reject') {
      const fault: HttpFault = { type: 'http', status: 400, variant: plan.variant };
      if (plan.variant === 'context_length' && plan.contextWindow !== undefined) {
        const limit = plan.contextWindow;
        const used = plan.inputTokens;
        fault.message =
          format === 'openai'
            ? `This model's maximum context length is ${limit} tokens. However, your messages resulted in ${used} tokens. Please reduce the length of the messages.`
            : format === 'gemini'
              ? `The input token count (${used}) exceeds the maximum number of tokens allowed (${limit}).`
              : `prompt is too long: ${used} tokens > ${limit} maximum`;
      }
      if (plan.variant === 'prefill_rejected') entry.continuationBehaviour = 'prefill_rejected';
      sendWire(res, wireWithExtra(encodeHttpFault(fault, wireContext), extra));
      return;
    }
    entry.continuation = plan.continuation;
    entry.continuationMatched = plan.continuation === undefined ? undefined : plan.matched;
    entry.continuationBehaviour = plan.behaviour;
    respondAnswer(res, {
      entry,
      format,
      codec,
      request,
      model,
      plan,
      faults,
      stream,
      geminiArray: route.pathStream === true && !route.geminiSse,
      intentional: watcher.intentional,
      headers: extra,
    });
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
        return handleGenerate(req, res, route);
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
        const entry = newEntry(req, 'openai');
        log.add(entry);
        const watcher = watch(res, entry, performance.now());
        const codec = options.codecs.openai;
        return handleEmbeddings(req, res, {
          picker,
          entry,
          codec,
          now: clock.now(),
          intentional: watcher.intentional,
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
