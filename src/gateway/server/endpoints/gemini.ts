/**
 * Gemini's own endpoints, `POST /v1beta/models/{model}:generateContent` and
 * `:streamGenerateContent` (SSE with `?alt=sse`, as `@google/genai` asks; without it the whole
 * answer comes back as a JSON array holding one response, as Gemini sends a non-SSE stream that
 * has ended). `{model}` is a route, a `provider/model` pair or a bare model. Errors are written
 * in Gemini's shape (`{"error":{"code","message","status"}}`).
 */
import type { IncomingMessage } from 'node:http';
import type { ServerCodec } from '../../../wire/codec.ts';
import { geminiCodec } from '../../../wire/gemini/index.ts';
import { createDialect, type Dialect } from '../dialect.ts';

/** `/v1beta/models/{model}:{method}` (also v1 and v1alpha, which the SDKs can be pointed at). */
export const GEMINI_GENERATE_PATH =
  /^\/v1(?:beta|alpha)?\/models\/(.+):(generateContent|streamGenerateContent)$/;

/** The dialect for errors written before a call is read (auth, method): Gemini's shape. */
export const geminiDialect: Dialect = createDialect('gemini', geminiCodec);

/** The dialect of one call: the model and streaming come from its path and query. */
export function geminiCallDialect(req: IncomingMessage, path: string): Dialect {
  const match = GEMINI_GENERATE_PATH.exec(path);
  const pathModel = decodeURIComponent(match?.[1] ?? '').replace(/^models\//, '');
  const streaming = match?.[2] === 'streamGenerateContent';
  const sse = new URL(req.url ?? '/', 'http://gateway').searchParams.get('alt') === 'sse';
  const codec: ServerCodec = {
    ...geminiCodec,
    decodeRequest: (body) => geminiCodec.decodeRequest(body, { pathModel, pathStream: streaming && sse }),
    // A stream asked for without SSE is answered once it is whole, as the JSON array Gemini sends.
    encodeResponse: (response, options) => {
      const encoded = geminiCodec.encodeResponse(response, options);
      return streaming && !sse ? [encoded] : encoded;
    },
  };
  return createDialect('gemini', codec);
}
