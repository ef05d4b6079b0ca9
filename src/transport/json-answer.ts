/**
 * A 2xx JSON answer (a request sent with `stream: false`) → the canonical response, and the
 * same response handed out as the parts a stream of it would carry, so that an engine built
 * on streams runs a non-streamed upstream unchanged. The body is read whole under the idle
 * budget; one that breaks off is a cut answer, one that is not the codec's JSON is invalid.
 */
import { OutlastError, targetLabel } from '../errors/index.ts';
import type { AttemptScope } from '../policy/deadline.ts';
import { responseToParts, type StreamPart } from '../wire/canonical/index.ts';
import type { ClientCodec } from '../wire/codec.ts';
import type { ResponseBody } from './dispatch.ts';
import { discard, RESPONSE_BODY_LIMIT } from './read-body.ts';
import { readFailure, streamCut, withTarget } from './read-failure.ts';
import { type Queued, takeQueued } from './take-queued.ts';
import type { UpstreamAnswer, UpstreamStream } from './types.ts';

export interface JsonAnswerInput {
  status: number;
  headers: Headers;
  requestId: string | undefined;
  body: ResponseBody;
  codec: ClientCodec;
  scope: AttemptScope;
  provider: string;
  model: string;
}

export async function readJsonAnswer(input: JsonAnswerInput): Promise<UpstreamAnswer> {
  const { status, headers, requestId, body, codec, scope } = input;
  const where = { provider: input.provider, model: input.model, requestId };
  // The body of a non-streamed answer is read under the idle budget, chunk to chunk.
  scope.enter('idle');
  let chunks: Buffer[];
  const read = { bytes: 0 };
  try {
    chunks = await readChunks(
      body,
      read,
      () => scope.touch(),
      () => invalid(where, status, `a body over ${RESPONSE_BODY_LIMIT} bytes`),
    );
  } catch (e) {
    if (OutlastError.isInstance(e) && e.kind === 'invalid_response') throw e;
    discard(body);
    // A body that breaks off after the 2xx is a cut answer, as a cut stream is: never a success.
    if (scope.signal.aborted) throw readFailure(e, scope, where);
    throw streamCut(e, where, `${read.bytes} bytes of its JSON body`);
  }
  const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw invalid(where, status, 'a body that is not JSON', text.slice(0, 200), e);
  }
  try {
    return { status, headers, requestId, response: codec.decodeResponse(json) };
  } catch (e) {
    if (OutlastError.isInstance(e)) throw withTarget(e.with({ status: e.status ?? status }), where);
    throw invalid(where, status, 'a body the codec could not read', undefined, e);
  }
}

/**
 * The body's chunks, over plain 'data'/'end' events: an async iterator per answer (and the
 * end-of-stream machinery behind it) costs more than these one or two chunks take to read.
 * Rejects with `tooBig()` past RESPONSE_BODY_LIMIT (the body discarded), with the stream's
 * error, or with a premature-close error (as `for await` gave) when it closes before its end.
 * `read.bytes` counts what came.
 */
function readChunks(
  body: ResponseBody,
  read: { bytes: number },
  onChunk: () => void,
  tooBig: () => OutlastError,
): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const cleanup = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
    };
    const fail = (error: unknown) => {
      cleanup();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      onChunk();
      read.bytes += chunk.byteLength;
      if (read.bytes > RESPONSE_BODY_LIMIT) {
        cleanup();
        discard(body);
        reject(tooBig());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks);
    };
    const onError = (error: Error) => fail(error);
    const onClose = () => {
      if (!body.readableEnded) {
        fail(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
      }
    };
    // Events already past cannot be waited for: an ended body has nothing more, a destroyed one never ends.
    if (body.readableEnded) return resolve(chunks);
    if (body.destroyed)
      return reject(body.errored ?? new Error('the response body was destroyed before it was read'));
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    body.on('close', onClose);
  });
}

/** The answer's parts as an upstream stream; the body is already read, so there is nothing to cancel. */
export function createJsonStream(answer: UpstreamAnswer): UpstreamStream & Queued<StreamPart> {
  const parts = responseToParts(answer.response);
  let at = 0;
  let over = false;
  const DONE: IteratorResult<StreamPart> = { value: undefined, done: true };
  const pull = (): StreamPart | undefined => (over || at >= parts.length ? undefined : parts[at++]);
  const iterator: AsyncIterator<StreamPart> = {
    next() {
      const part = pull();
      return Promise.resolve(part === undefined ? DONE : { value: part, done: false });
    },
    return() {
      over = true;
      return Promise.resolve(DONE);
    },
  };
  return {
    status: answer.status,
    headers: answer.headers,
    requestId: answer.requestId,
    malformedEvents: 0,
    [takeQueued]: pull,
    cancel() {
      over = true;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
}

export function invalid(
  where: { provider: string; model: string; requestId?: string | undefined },
  status: number,
  what: string,
  snippet?: string,
  cause?: unknown,
): OutlastError {
  return new OutlastError({
    kind: 'invalid_response',
    message: `upstream ${targetLabel(where.provider, where.model)} answered ${status} with ${what}`,
    status,
    provider: where.provider,
    model: where.model,
    ...(where.requestId === undefined ? {} : { requestId: where.requestId }),
    ...(snippet ? { providerMessage: snippet } : {}),
    ...(cause === undefined ? {} : { cause }),
  });
}
