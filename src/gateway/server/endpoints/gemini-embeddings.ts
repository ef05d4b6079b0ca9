/**
 * Gemini's own embedding endpoints, `POST /v1beta/models/{model}:embedContent` and
 * `:batchEmbedContents` (what `@google/genai`'s `models.embedContent` calls), routed like
 * `/v1/embeddings`: `{model}` is a route, a `provider/model` pair or a bare model, served by the
 * route's Gemini targets in order with retries, breakers and fallback, a route mixing embedding
 * models refused. The body goes as it came, the target's model written into the path (and into
 * each batch request's `model`); the answer is the upstream's. Errors in Gemini's shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { checkEmbeddingRoute } from '../../../engine/embedding-family.ts';
import { parseWith } from '../../../wire/shared/validate.ts';
import { newRequestId } from '../dialect.ts';
import { factsOf } from '../request-facts.ts';
import { geminiDialect } from './gemini.ts';
import { answerHeaders, type SideCallContext, serve } from './side-calls.ts';

export const GEMINI_EMBED_PATH = /^\/(v1(?:beta|alpha)?)\/models\/(.+):(embedContent|batchEmbedContents)$/;

const content = z.looseObject({ parts: z.array(z.looseObject({})).min(1, 'expected at least one part') });
const embedSchema = z.looseObject({ content });
const batchSchema = z.looseObject({
  requests: z.array(z.looseObject({ content }), { error: 'expected an array of requests' }).min(1),
});

export function serveGeminiEmbeddings(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  context: SideCallContext,
) {
  const { engine } = context;
  const match = GEMINI_EMBED_PATH.exec(path);
  const version = match?.[1] ?? 'v1beta';
  const model = decodeURIComponent(match?.[2] ?? '').replace(/^models\//, '');
  const method = match?.[3] === 'batchEmbedContents' ? 'batchEmbedContents' : 'embedContent';
  return serve(req, res, geminiDialect, context, async (raw, signal) => {
    factsOf(res).route = model;
    const batch =
      method === 'batchEmbedContents' ? parseWith(batchSchema, raw, { kind: 'bad_request' }) : undefined;
    const body: Record<string, unknown> = batch ?? parseWith(embedSchema, raw, { kind: 'bad_request' });
    const answer = await engine.sideCall(
      {
        model,
        what: 'embeddings',
        check: (targets) => checkEmbeddingRoute(model, targets, engine.settings.models),
        build: (target) => {
          if (target.type !== 'gemini') return undefined;
          const name = `models/${target.model}`;
          const sent = batch
            ? { ...batch, requests: batch.requests.map((r) => ({ ...r, model: name })) }
            : 'model' in body
              ? { ...body, model: name }
              : body;
          return { path: `/${version}/models/${encodeURIComponent(target.model)}:${method}`, body: sent };
        },
      },
      { signal },
    );
    const id = factsOf(res).requestId ?? newRequestId();
    factsOf(res).answeredBy = `${answer.answeredBy.provider}/${answer.answeredBy.model}`;
    factsOf(res).attempts = answer.attempts;
    return { status: 200, body: answer.body, headers: answerHeaders(geminiDialect, id, answer) };
  });
}
