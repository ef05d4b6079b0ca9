/**
 * The gateway's writer of served calls (src/serve/serve-call.ts): one model call's answer
 * onto a node:http response, and its facts into the request log. The relay writes no faster
 * than the client reads (it stops pulling parts while the socket is full), sends keep-alives
 * while the stream is quiet, and a client that goes away cancels its engine call and with it
 * the upstream request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine, EngineCall } from '../../engine/index.ts';
import { OutlastError } from '../../errors/index.ts';
import { parentContext } from '../../observe/traceparent.ts';
import type { Tracing } from '../../observe/tracing.ts';
import { type ServeContext, type ServedAnswer, serveCall } from '../../serve/index.ts';
import type { CanonicalRequest } from '../../wire/canonical/index.ts';
import { clientFacingError, type Dialect } from './dialect.ts';
import { drained } from './http-io.ts';
import { factsOf, mergeUsage, recordTrace } from './request-facts.ts';
import { writeAnswer } from './write-answer.ts';

export interface ModelCallContext {
  readonly engine: Engine;
  /** Reads and parses the request body under the gateway's limits. */
  readonly readBody: (req: IncomingMessage, res: ServerResponse) => Promise<unknown>;
  /** Limits on the decoded request (tool-schema depth); throws a 400 naming the limit. */
  readonly checkRequest?: (request: CanonicalRequest) => void;
  readonly keepAliveMs: number;
  readonly redact: (text: string) => string;
  /** Runs the engine call with its route known to chaos injection. */
  readonly runInRoute: <T>(route: string, fn: () => T) => T;
  /** Refuses a `model` the gateway does not serve (known-models.ts); undefined: served. */
  readonly refuseModel?: (model: string) => OutlastError | undefined;
  /** OpenTelemetry spans for each call, children of the request's `traceparent`. */
  readonly tracing?: Tracing;
  /** Told about each call, to log it. */
  readonly onCall?: (info: { requestId: string; model: string; stream: boolean; call: EngineCall }) => void;
}

/** Serves one call; resolves with the status sent once the response is finished (499: the client left). */
export async function serveModelCall(
  req: IncomingMessage,
  res: ServerResponse,
  dialect: Dialect,
  context: ModelCallContext,
): Promise<number> {
  const facts = factsOf(res);
  const { tracing } = context;
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) {
      controller.abort(new OutlastError({ kind: 'cancelled', message: 'the client closed the connection' }));
    }
  };
  res.on('close', onClose);
  let call: EngineCall | undefined;
  const serve: ServeContext = {
    engine: context.engine,
    facing: (error) => clientFacingError(error, context.redact),
    runInRoute: tracing
      ? <T>(route: string, fn: () => T): T =>
          context.runInRoute(
            route,
            () =>
              tracing.within({ model: route }, fn as () => EngineCall, {
                parent: parentContext(req.headers),
                hold: true,
              }) as T,
          )
      : context.runInRoute,
    ...(context.checkRequest ? { checkRequest: context.checkRequest } : {}),
    ...(context.refuseModel ? { refuseModel: context.refuseModel } : {}),
    onCall(info) {
      call = info.call;
      facts.route = info.model;
      facts.stream = info.stream;
      facts.requestId = info.requestId;
      context.onCall?.(info);
    },
    onUsage: (usage) => mergeUsage(facts, usage),
  };
  try {
    const answer = await serveCall(
      {
        codec: dialect.codec,
        body: () => context.readBody(req, res),
        signal: controller.signal,
      },
      serve,
    );
    if (answer.kind === 'stream') return await relayStream(res, answer, context.keepAliveMs);
    return writeAnswer(res, answer);
  } finally {
    res.off('close', onClose);
    // Settled by now on every path but a client gone mid-stream, where the cancel ends it at once.
    if (call) {
      recordTrace(facts, await call.trace);
      tracing?.served(call.requestId, facts.usage);
    }
  }
}

/** The most text one relay write carries. */
const BATCH_CHARS = 16 * 1024;

async function relayStream(
  res: ServerResponse,
  answer: Extract<ServedAnswer, { kind: 'stream' }>,
  keepAliveMs: number,
): Promise<number> {
  const body = answer.body;
  if (res.destroyed) {
    body.cancel();
    return 499;
  }
  res.writeHead(answer.status, answer.headers);

  // Parts that are ready in the same tick (the events of one upstream read) go out as one
  // write: a write per part costs a chunked-encoding frame and a trip through the stream
  // machinery each, which was most of what relaying a token cost. The batch is flushed on
  // process.nextTick, i.e. once the parts already decoded have been encoded, never later.
  let pending = '';
  let flushQueued = false;
  /** Whether anything (and with it the status and headers) was handed to the socket yet. */
  let wrote = false;
  /** Set while the socket is over its high-water mark; resolves false if the client went away. */
  let blocked: Promise<boolean> | undefined;
  const keepAlive = setTimeout(function ping() {
    // A full socket already tells the client we are alive; never pile pings on it.
    if (!blocked && !res.destroyed) {
      wrote = true;
      res.write(body.keepAlive());
    }
    keepAlive.refresh();
  }, keepAliveMs);
  const flush = () => {
    // While the socket is full the text waits here; the drain flushes it.
    if (pending === '' || blocked || res.destroyed) return;
    const text = pending;
    pending = '';
    keepAlive.refresh();
    wrote = true;
    if (res.write(text)) return;
    blocked = drained(res).then((ok) => {
      blocked = undefined;
      if (ok) flush();
      return ok;
    });
  };
  const flushTick = () => {
    flushQueued = false;
    flush();
  };
  // The status and headers leave with the first batch rather than in a write of their own:
  // this tick's first flush is queued now, so they go out once the parts already waiting are
  // encoded (it runs after the microtasks that encode them), alone if none gave any text.
  flushQueued = true;
  process.nextTick(() => {
    flushTick();
    if (!wrote && !res.destroyed && !res.writableEnded) {
      wrote = true;
      res.flushHeaders();
    }
  });
  /** Queues text for this tick's write, then waits while the socket is full; false once the client is gone. */
  const write = (text: string): boolean | Promise<boolean> => {
    if (res.destroyed) return false;
    if (text !== '') {
      pending += text;
      // Parts queued faster than they arrive (a client slower than the upstream) still go out
      // in bounded writes, so the socket's high-water mark keeps holding the relay back.
      if (pending.length >= BATCH_CHARS) flush();
      else if (!flushQueued) {
        flushQueued = true;
        process.nextTick(flushTick);
      }
    }
    return blocked ?? true;
  };
  /** Sends what is queued with the end of the response. */
  const end = () => {
    wrote = true;
    const text = pending;
    pending = '';
    if (text === '') res.end();
    else res.end(text);
  };

  try {
    // The parts already waiting are taken without a promise each. Leaving early cancels the
    // engine call (and the upstream); after the 200, a failure is the dialect's own error event.
    if (!(await body.pipe(write))) return 499;
    if (!res.destroyed) end();
    return 200;
  } finally {
    clearTimeout(keepAlive);
  }
}
