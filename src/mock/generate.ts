/**
 * One generation request to the mock: the body decoded by the format's codec, the request's
 * fault and continuation headers read, the rate limiter asked first (the provider's front
 * door), then the fault picked for this attempt, and the answer planned and written (or the
 * fault that replaces it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OutlastError } from '../errors/index.ts';
import type { Clock } from '../policy/clock.ts';
import type { CanonicalRequest, WireFormat } from '../wire/canonical/index.ts';
import type { ServerCodec } from '../wire/codec.ts';
import { createResponsesServerCodec } from '../wire/openai-responses/index.ts';
import { responseIdOf } from '../wire/openai-responses/output-items.ts';
import { planToResponse } from './answer-parts.ts';
import { continuationShape, planAnswer } from './answer-plan.ts';
import {
  CONTINUATION_HEADER,
  type ContinuationConfig,
  ContinuationSpecError,
  parseContinuationSpec,
} from './continuation-spec.ts';
import type { FaultPicker } from './fault-picker.ts';
import { planFaults } from './fault-plan.ts';
import {
  FaultSpecError,
  formatFault,
  formatFaults,
  type HttpFault,
  type ParsedFaultSpec,
  parseFaultSpec,
} from './fault-spec.ts';
import { hashUnit } from './hash.ts';
import {
  contextLengthMessage,
  encodeHttpFault,
  encodeOwnError,
  limitedMessage,
  limiterHeaders,
} from './http-errors.ts';
import {
  type ExtraHeaders,
  jsonHeaders,
  readBody,
  sendWire,
  sseHeaders,
  wireWithExtra,
  withExtra,
} from './http-io.ts';
import type { MockLog, MockLogEntry } from './mock-log.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { answerId, respondAnswer } from './respond-answer.ts';
import type { Route } from './routes.ts';
import type { StoredResponses } from './stored-responses.ts';
import type { RunHandle } from './write-stream.ts';

export const FAULT_HEADER = 'x-mock-fault';

/** What a generation request needs of the mock server. */
export interface GenerateContext {
  codecs: Readonly<Record<WireFormat, ServerCodec>>;
  picker: FaultPicker;
  clock: Clock;
  log: MockLog;
  limiter: RateLimiter;
  /** A new log entry for the request (not yet added). */
  newEntry(req: IncomingMessage, format: WireFormat | undefined): MockLogEntry;
  /** Watches the response: status, duration, and whether the client left before the end. */
  watch(res: ServerResponse, entry: MockLogEntry, started: number): { intentional(): void };
  /** Counts a continuation of one model, shape and header text; returns how many so far. */
  countContinuation(key: string): number;
  track(handle: RunHandle, res: ServerResponse): void;
  /** The Responses API answers kept for `previous_response_id`. */
  stored: StoredResponses;
}

function badRequest(format: WireFormat, message: string): OutlastError {
  return new OutlastError({
    kind: 'bad_request',
    status: 400,
    provider: format,
    message,
    providerMessage: message,
  });
}

export async function handleGenerate(
  req: IncomingMessage,
  res: ServerResponse,
  route: Extract<Route, { type: 'generate' }>,
  mock: GenerateContext,
): Promise<void> {
  const { picker, clock, log, limiter } = mock;
  const started = performance.now();
  const { format } = route;
  // A Responses API codec is made per request (a Response repeats the request's parameters).
  const codec = route.responses ? createResponsesServerCodec({ stored: true }) : mock.codecs[format];
  const entry = mock.newEntry(req, format);
  log.add(entry);
  const watcher = mock.watch(res, entry, started);
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
  if (route.responses) {
    try {
      request = mock.stored.resolve(request);
    } catch (error) {
      const e = error as OutlastError;
      own(e, e.message);
      return;
    }
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
        withExtra(stream ? sseHeaders(format, entry.requestId) : jsonHeaders(format, entry.requestId), extra),
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
          nth: mock.countContinuation(
            `${model}\u0000${shape}\u0000${typeof continuationText === 'string' ? continuationText.trim() : ''}`,
          ),
        }),
    ...(continuationHeader === undefined ? {} : { continuation: continuationHeader }),
  });
  if (plan.kind === 'reject') {
    const fault: HttpFault = { type: 'http', status: 400, variant: plan.variant };
    if (plan.variant === 'context_length' && plan.contextWindow !== undefined)
      fault.message = contextLengthMessage(format, plan.contextWindow, plan.inputTokens);
    if (plan.variant === 'prefill_rejected') entry.continuationBehaviour = 'prefill_rejected';
    sendWire(res, wireWithExtra(encodeHttpFault(fault, wireContext), extra));
    return;
  }
  entry.continuation = plan.continuation;
  entry.continuationMatched = plan.continuation === undefined ? undefined : plan.matched;
  entry.continuationBehaviour = plan.behaviour;
  if (route.responses)
    mock.stored.remember(
      responseIdOf(answerId(format, picker.seed, entry.seq)),
      request,
      planToResponse(plan, { id: '', model }).content,
    );
  respondAnswer(
    res,
    {
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
    },
    { seed: picker.seed, clock, track: mock.track },
  );
}
