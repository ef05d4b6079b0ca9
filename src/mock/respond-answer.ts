/**
 * The mock's answer to a generation request it decided to answer: the plan written in the
 * format's stream (with the faults of the plan on the way: cuts, stalls, error events) or as
 * one JSON body after the time it would take to generate.
 */
import type { ServerResponse } from 'node:http';
import type { Clock } from '../policy/clock.ts';
import type { CanonicalRequest, WireFormat } from '../wire/canonical/index.ts';
import type { ServerCodec } from '../wire/codec.ts';
import { planToParts, planToResponse } from './answer-parts.ts';
import type { AnswerPlan } from './answer-plan.ts';
import type { FaultPlan } from './fault-plan.ts';
import { hashId } from './hash.ts';
import { encodeHttpFault, streamFaultError } from './http-errors.ts';
import { type ExtraHeaders, jsonHeaders, sendWire, sseHeaders, wireWithExtra, withExtra } from './http-io.ts';
import type { MockLogEntry } from './mock-log.ts';
import { type RunHandle, runSteps, type Step, streamSteps } from './write-stream.ts';

/** What the answer needs of the mock server. */
export interface AnswerContext {
  seed: number;
  clock: Clock;
  /** Keeps the running steps until the response closes (so destroyAll can stop them). */
  track(handle: RunHandle, res: ServerResponse): void;
}

const ID_PREFIX: Readonly<Record<WireFormat, (id: string) => string>> = {
  anthropic: (id) => `msg_01${id.slice(0, 22)}`,
  openai: (id) => `chatcmpl-${id.slice(0, 29)}`,
  gemini: (id) => id.slice(0, 22),
};

/** The id of the mock's answer to request number `seq` (a Responses API answer's is `resp_…` of it). */
export function answerId(format: WireFormat, seed: number, seq: number): string {
  return ID_PREFIX[format](hashId(29, seed, 'id', seq));
}

export function respondAnswer(
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
  mock: AnswerContext,
): void {
  const { entry, format, codec, request, model, plan, faults, intentional } = ctx;
  const ids = { id: answerId(format, mock.seed, entry.seq), model };
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
    mock.track(runSteps(res, steps, { onTokens, onDone: () => {} }), res);
    return;
  }
  // Not streamed: the whole answer after the time it would take to generate.
  if (outcome?.type === 'error_event') {
    const status = { overloaded: 529, rate_limited: 429, server: 500 }[outcome.error ?? 'overloaded'];
    const wire = encodeHttpFault(
      { type: 'http', status },
      { format, codec, model, requestId: entry.requestId, now: mock.clock.now() },
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
  mock.track(runSteps(res, steps, { onTokens, onDone: () => {} }), res);
}
