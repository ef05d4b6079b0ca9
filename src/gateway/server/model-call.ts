/**
 * One model call through the gateway: body → canonical (the dialect's server codec) → the
 * engine → the dialect's response or SSE stream. Nothing is sent until the commit point, so a
 * call that fails before any content gets a real error status in the client's dialect. The
 * relay writes no faster than the client reads (it stops pulling parts while the socket is
 * full), sends keep-alives while the stream is quiet, and a client that goes away cancels
 * its engine call and with it the upstream request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine, EngineCall } from '../../engine/index.ts';
import { OutlastError } from '../../errors/index.ts';
import type { CanonicalRequest } from '../../wire/canonical/index.ts';
import { clientFacingError, type Dialect, newRequestId, sendError } from './dialect.ts';
import { drained, readJsonBody } from './http-io.ts';

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
  let request: CanonicalRequest;
  try {
    const body = await readJsonBody(req, context.bodyLimitBytes);
    request = dialect.codec.decodeRequest(body);
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
  context.onCall?.({ requestId, model: request.model, stream: request.stream === true, call });

  try {
    const committed = await call.committed;
    if (res.destroyed) return 499;
    if (request.stream) return await relayStream(res, dialect, context, call, requestId, committed);
    const response = await call.response();
    const trace = await call.trace;
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
  }
}

async function relayStream(
  res: ServerResponse,
  dialect: Dialect,
  context: ModelCallContext,
  call: EngineCall,
  requestId: string,
  committed: { provider: string; model: string; attempts: number },
): Promise<number> {
  const encoder = dialect.codec.createStreamEncoder({ model: committed.model });
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
    ...traceHeaders(requestId, dialect, committed, committed.attempts),
  });
  res.flushHeaders();

  let waitingForDrain = false;
  let keepAlive: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(keepAlive);
    keepAlive = setTimeout(() => {
      // A full socket already tells the client we are alive; never pile pings on it.
      if (!waitingForDrain && !res.destroyed) res.write(encoder.keepAlive());
      arm();
    }, context.keepAliveMs);
  };
  /** Writes, then waits while the socket is over its high-water mark; false once the client is gone. */
  const write = async (text: string): Promise<boolean> => {
    if (res.destroyed) return false;
    if (text === '') return true;
    arm();
    if (res.write(text)) return true;
    waitingForDrain = true;
    const ok = await drained(res);
    waitingForDrain = false;
    return ok;
  };

  arm();
  try {
    for await (const part of call) {
      // Breaking out cancels the engine call (and the upstream) through the iterator's return().
      if (!(await write(encoder.encode(part)))) return 499;
    }
    await write(encoder.end());
    res.end();
    return 200;
  } catch (error) {
    if (res.destroyed) return 499;
    // After the 200 the only way to fail is the dialect's own error event.
    await write(dialect.codec.encodeStreamError(clientFacingError(error, context.redact)));
    res.end();
    return 200;
  } finally {
    clearTimeout(keepAlive);
  }
}
