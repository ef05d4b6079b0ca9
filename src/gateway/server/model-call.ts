/**
 * One model call through the gateway: body → canonical (the dialect's server codec) → the
 * engine → the dialect's response or SSE stream. Nothing is sent until the commit point, so a
 * call that fails before any content gets a real error status in the client's dialect. The
 * relay writes no faster than the client reads (it stops pulling parts while the socket is
 * full), sends keep-alives while the stream is quiet, and a client that goes away cancels
 * its engine call and with it the upstream request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Engine, type EngineCall, forEachQueued } from '../../engine/index.ts';
import { OutlastError } from '../../errors/index.ts';
import type { CanonicalRequest, StreamPart } from '../../wire/canonical/index.ts';
import { clientFacingError, type Dialect, newRequestId, sendError } from './dialect.ts';
import { drained, readJsonBody } from './http-io.ts';
import { factsOf, mergeUsage, type RequestFacts, recordTrace } from './request-facts.ts';

export interface ModelCallContext {
  readonly engine: Engine;
  readonly bodyLimitBytes: number;
  readonly keepAliveMs: number;
  readonly redact: (text: string) => string;
  /** Runs the engine call with its route known to chaos injection. */
  readonly runInRoute: <T>(route: string, fn: () => T) => T;
  /** Told about each call, to log it. */
  readonly onCall?: (info: { requestId: string; model: string; stream: boolean; call: EngineCall }) => void;
}

function traceHeaders(
  requestId: string,
  dialect: Dialect,
  answered: { provider: string; model: string },
  attempts: number,
) {
  return {
    [dialect.requestIdHeader]: requestId,
    'x-outlast-request-id': requestId,
    'x-outlast-model': `${answered.provider}/${answered.model}`,
    'x-outlast-attempts': String(attempts),
  };
}

/** Serves one call; resolves with the status sent once the response is finished. */
export async function serveModelCall(
  req: IncomingMessage,
  res: ServerResponse,
  dialect: Dialect,
  context: ModelCallContext,
): Promise<number> {
  let requestId = newRequestId();
  const facts = factsOf(res);
  let request: CanonicalRequest;
  try {
    const body = await readJsonBody(req, context.bodyLimitBytes);
    request = dialect.codec.decodeRequest(body);
    facts.route = request.model;
    facts.stream = request.stream === true;
  } catch (error) {
    const e = clientFacingError(error, context.redact);
    // An unread body is left behind: the connection cannot be reused.
    const close = e.status === 413 ? { connection: 'close' } : undefined;
    return sendError(res, dialect, e, requestId, close);
  }

  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) {
      controller.abort(new OutlastError({ kind: 'cancelled', message: 'the client closed the connection' }));
    }
  };
  res.on('close', onClose);

  let call: EngineCall;
  try {
    call = context.runInRoute(request.model, () =>
      context.engine.execute(request, { signal: controller.signal }),
    );
  } catch (error) {
    res.off('close', onClose);
    return sendError(res, dialect, clientFacingError(error, context.redact), requestId);
  }
  requestId = call.requestId;
  facts.requestId = requestId;
  context.onCall?.({ requestId, model: request.model, stream: request.stream === true, call });

  try {
    const committed = await call.committed;
    if (res.destroyed) return 499;
    if (request.stream)
      return await relayStream(res, dialect, context, call, request, requestId, committed, facts);
    const response = await call.response();
    const trace = await call.trace;
    mergeUsage(facts, response.usage);
    const answered = trace.answeredBy ?? committed;
    const body = JSON.stringify(dialect.codec.encodeResponse(response, { model: response.model }));
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...traceHeaders(requestId, dialect, answered, trace.attempts.length),
    });
    res.end(body);
    return 200;
  } catch (error) {
    if (res.destroyed || controller.signal.aborted) return 499;
    if (res.headersSent) {
      res.destroy();
      return 500;
    }
    return sendError(res, dialect, clientFacingError(error, context.redact), requestId);
  } finally {
    res.off('close', onClose);
    // Settled by now on every path but a client gone mid-stream, where the cancel ends it at once.
    recordTrace(facts, await call.trace);
  }
}

/** The most text one relay write carries. */
const BATCH_CHARS = 16 * 1024;

async function relayStream(
  res: ServerResponse,
  dialect: Dialect,
  context: ModelCallContext,
  call: EngineCall,
  request: CanonicalRequest,
  requestId: string,
  committed: { provider: string; model: string; attempts: number },
  facts: RequestFacts,
): Promise<number> {
  const encoder = dialect.codec.createStreamEncoder({
    model: committed.model,
    // An OpenAI client that asked for `stream_options.include_usage` gets its usage chunk.
    ...(request.includeUsage === undefined ? {} : { includeUsage: request.includeUsage }),
  });
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
    ...traceHeaders(requestId, dialect, committed, committed.attempts),
  });

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
      res.write(encoder.keepAlive());
    }
    keepAlive.refresh();
  }, context.keepAliveMs);
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
    // engine call (and the upstream) through the iterator's return().
    const visit = (part: StreamPart) => {
      if (part.type === 'message_delta' || part.type === 'message_start') mergeUsage(facts, part.usage);
      return write(encoder.encode(part));
    };
    if (!(await forEachQueued(call, visit))) return 499;
    await write(encoder.end());
    if (!res.destroyed) end();
    return 200;
  } catch (error) {
    if (res.destroyed) return 499;
    // After the 200 the only way to fail is the dialect's own error event.
    await write(dialect.codec.encodeStreamError(clientFacingError(error, context.redact)));
    if (!res.destroyed) end();
    return 200;
  } finally {
    clearTimeout(keepAlive);
  }
}
