/**
 * `createTransport()`: everything the engine sends upstream. One undici Agent (a keep-alive
 * pool per origin inside it), created on first use; phase timers from the attempt scope;
 * typed OutlastErrors only.
 */
import { Agent } from 'undici';
import { OutlastError, targetLabel, toOutlastError } from '../errors/index.ts';
import { realClock } from '../policy/clock.ts';
import { type AttemptScope, abortReason } from '../policy/deadline.ts';
import { checkTransportOptions } from './check-options.ts';
import { dispatchWithPhases, type ResponseBody } from './dispatch.ts';
import { type AnswerContext, errorFromAnswer, notAStream } from './error-answer.ts';
import { createJsonStream, readJsonAnswer } from './json-answer.ts';
import { discard } from './read-body.ts';
import { createSseStream } from './sse-stream.ts';
import type { RawAnswer, Transport, TransportOptions, UpstreamCall } from './types.ts';

const DEFAULT_CONNECTIONS = 1024;
const DEFAULT_KEEP_ALIVE_MS = 10_000;
/**
 * undici's own timers stay on only as a backstop for a scope without budgets; the scope's
 * phases are the real limits and fire first, named.
 */
const BACKSTOP_CONNECT_MS = 60_000;
const BACKSTOP_MS = 10 * 60_000;

export function createTransport(options: TransportOptions = {}): Transport {
  checkTransportOptions(options);
  const clock = options.clock ?? realClock;
  let agent: Agent | undefined;
  let closed = false;

  const pool = (): Agent => {
    if (closed) {
      throw new OutlastError({
        kind: 'cancelled',
        message: 'the transport was closed',
        retryable: false,
      });
    }
    agent ??= new Agent({
      connections: options.connectionsPerOrigin ?? DEFAULT_CONNECTIONS,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_MS,
      keepAliveMaxTimeout: Math.max(options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_MS, 60_000),
      connect: { timeout: BACKSTOP_CONNECT_MS },
      headersTimeout: BACKSTOP_MS,
      bodyTimeout: BACKSTOP_MS,
    });
    return agent;
  };

  /** POSTs the codec's request; resolves at a 2xx's headers, rejects with the decoded error otherwise. */
  const post = async (call: UpstreamCall, accept: string) => {
    const { target, request: spec, scope } = call;
    const where = { provider: target.provider, model: target.model };
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept,
      ...target.codec.authHeaders(target.apiKey),
      ...spec.headers,
      ...(target.headers ?? {}),
    };
    const res = await dispatchWithPhases(pool(), {
      url: joinUrl(target.baseURL, spec.path),
      method: 'POST',
      headers,
      body: serialise(spec.body, where),
      scope,
      where,
    });
    const context: AnswerContext = { codec: target.codec, ...where, scope, clock };
    if (res.status < 200 || res.status >= 300) {
      throw await errorFromAnswer(context, res.status, res.headers, res.body);
    }
    return { ...res, context, requestId: target.codec.requestIdOf(res.headers) };
  };

  /** A non-streaming POST's answer, read whole and decoded. */
  const readAnswer = async (call: UpstreamCall) => {
    const { target, scope } = call;
    const res = await post(call, 'application/json');
    return readJsonAnswer({
      status: res.status,
      headers: res.headers,
      requestId: res.requestId,
      body: res.body,
      codec: target.codec,
      scope,
      provider: target.provider,
      model: target.model,
    });
  };

  return {
    async stream(call) {
      // A request sent with `stream: false`: its JSON answer comes out as the parts of a stream.
      if (call.answer === 'json') return createJsonStream(await readAnswer(call));
      const { target, scope } = call;
      const res = await post(call, 'text/event-stream');
      if (!isEventStream(res.headers.get('content-type'))) {
        throw await notAStream(res.context, res.status, res.headers, res.body);
      }
      scope.enter('first_token');
      return createSseStream({
        status: res.status,
        headers: res.headers,
        requestId: res.requestId,
        body: res.body,
        decoder: target.codec.createStreamDecoder(),
        scope,
        provider: target.provider,
        model: target.model,
        clock,
      });
    },

    async send(call) {
      return readAnswer(call);
    },

    async request(input): Promise<RawAnswer> {
      const { scope } = input;
      const res = await dispatchWithPhases(pool(), { ...input, where: {} });
      if (input.method.toUpperCase() === 'HEAD' || res.status === 204 || res.status === 304) {
        res.body.dump().catch(() => undefined);
        return { status: res.status, headers: res.headers, body: null };
      }
      // Pass-through bodies are read by the caller; the idle budget still spans every chunk.
      scope.enter('idle');
      return { status: res.status, headers: res.headers, body: toWebStream(res.body, scope) };
    },

    async close() {
      if (closed) return;
      closed = true;
      const current = agent;
      agent = undefined;
      // Destroy, not close: a stream nobody reads would otherwise hold close() forever.
      await current?.destroy();
    },
  };
}

function serialise(body: unknown, where: { provider: string; model: string }): string {
  try {
    return JSON.stringify(body);
  } catch (e) {
    throw new OutlastError({
      kind: 'bad_request',
      message: `the request for ${targetLabel(where.provider, where.model)} cannot be sent as JSON: ${e instanceof Error ? e.message : String(e)}`,
      ...where,
      cause: e,
    });
  }
}

function isEventStream(contentType: string | null): boolean {
  // Some compatible servers omit the type or send text/plain; JSON and HTML are surely not a stream.
  if (!contentType) return true;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'text/event-stream' || type === 'text/plain';
}

function joinUrl(baseURL: string, path: string): string {
  return `${baseURL.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}

/** undici's body as a web stream that touches the idle timer per chunk; cancelling it destroys the socket. */
function toWebStream(body: ResponseBody, scope: AttemptScope): ReadableStream<Uint8Array> | null {
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) {
          controller.close();
          return;
        }
        scope.touch();
        controller.enqueue(new Uint8Array(next.value));
      } catch (e) {
        controller.error(scope.signal.aborted ? abortReason(scope.signal) : toOutlastError(e));
      }
    },
    cancel() {
      discard(body);
    },
  });
}
