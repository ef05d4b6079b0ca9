/**
 * The endpoints that are not generations: `POST /v1/embeddings` (OpenAI's shape, over the
 * route's OpenAI-format targets), `POST /v1/messages/count_tokens` (passed to an Anthropic
 * target of the route; an estimate, marked as one, when the route has none) and
 * `GET /v1/models/{id}`. Embeddings and counts run through the engine's side calls: retries,
 * breakers and fallback as for generation, the upstream's JSON passed on as it came.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { checkEmbeddingRoute } from '../../../engine/embedding-family.ts';
import { estimatePromptTokens } from '../../../engine/estimate-tokens.ts';
import type { Engine, SideCallAnswer } from '../../../engine/index.ts';
import { resolveRoute } from '../../../engine/routes.ts';
import { isTransientKind, OutlastError } from '../../../errors/index.ts';
import { anthropicCodec } from '../../../wire/anthropic/index.ts';
import { parseWith } from '../../../wire/shared/validate.ts';
import { clientFacingError, type Dialect, newRequestId, sendError } from '../dialect.ts';
import { sendJson } from '../http-io.ts';
import { factsOf } from '../request-facts.ts';

export interface SideCallContext {
  readonly engine: Engine;
  /** Reads and parses the request body under the gateway's limits. */
  readonly readBody: (req: IncomingMessage, res: ServerResponse) => Promise<unknown>;
  readonly redact: (text: string) => string;
}

const embeddingsSchema = z.looseObject({
  model: z.string({ error: 'expected a string' }).min(1, 'expected a model name'),
  input: z.union(
    [
      z.string(),
      z.array(z.string()).min(1),
      z.array(z.number().int()).min(1),
      z.array(z.array(z.number().int()).min(1)).min(1),
    ],
    { error: 'expected a string, an array of strings, or token arrays' },
  ),
  encoding_format: z.enum(['float', 'base64'], { error: "expected 'float' or 'base64'" }).optional(),
  dimensions: z.number().int().min(1, 'expected a positive integer').optional(),
});

const countTokensSchema = z.looseObject({ model: z.string({ error: 'expected a string' }).min(1) });

/** Headers from the client that an Anthropic upstream reads for a count (betas change what is counted). */
function anthropicHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['anthropic-version', 'anthropic-beta']) {
    const value = req.headers[name];
    if (typeof value === 'string' && value !== '') out[name] = value;
  }
  return out;
}

export function answerHeaders(
  dialect: Dialect,
  requestId: string,
  answer: SideCallAnswer,
): Record<string, string> {
  return {
    [dialect.name === 'anthropic' ? 'request-id' : 'x-request-id']: requestId,
    'x-outlast-request-id': requestId,
    'x-outlast-model': `${answer.answeredBy.provider}/${answer.answeredBy.model}`,
    'x-outlast-attempts': String(answer.attempts),
    ...(answer.requestId ? { 'x-outlast-upstream-request-id': answer.requestId } : {}),
  };
}

export interface Served {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** Serves one side call: its body read under the limits, its answer or its error in the dialect's shape. */
export async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  dialect: Dialect,
  context: SideCallContext,
  run: (body: unknown, signal: AbortSignal) => Promise<Served>,
): Promise<number> {
  const requestId = newRequestId();
  const facts = factsOf(res);
  facts.requestId = requestId;
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished)
      controller.abort(new OutlastError({ kind: 'cancelled', message: 'the client closed the connection' }));
  };
  res.on('close', onClose);
  try {
    const body = await context.readBody(req, res);
    const answer = await run(body, controller.signal);
    if (res.destroyed) return 499;
    sendJson(res, answer.status, answer.body, answer.headers);
    return answer.status;
  } catch (error) {
    if (res.destroyed || controller.signal.aborted) return 499;
    const e = clientFacingError(error, context.redact);
    return sendError(res, dialect, e, requestId, e.status === 413 ? { connection: 'close' } : undefined);
  } finally {
    res.off('close', onClose);
  }
}

export function serveEmbeddings(
  req: IncomingMessage,
  res: ServerResponse,
  dialect: Dialect,
  context: SideCallContext,
) {
  const { engine } = context;
  return serve(req, res, dialect, context, async (raw, signal) => {
    const body = parseWith(embeddingsSchema, raw, { kind: 'bad_request' });
    factsOf(res).route = body.model;
    const answer = await engine.sideCall(
      {
        model: body.model,
        what: 'embeddings',
        check: (targets) => checkEmbeddingRoute(body.model, targets, engine.settings.models),
        // OpenAI and every OpenAI-compatible server (Azure, vLLM, Ollama…) serve /embeddings.
        build: (target) =>
          target.type === 'openai'
            ? { path: '/embeddings', body: { ...body, model: target.model } }
            : undefined,
      },
      { signal },
    );
    const id = factsOf(res).requestId ?? newRequestId();
    factsOf(res).answeredBy = `${answer.answeredBy.provider}/${answer.answeredBy.model}`;
    factsOf(res).attempts = answer.attempts;
    return { status: 200, body: answer.body, headers: answerHeaders(dialect, id, answer) };
  });
}

export function serveCountTokens(
  req: IncomingMessage,
  res: ServerResponse,
  dialect: Dialect,
  context: SideCallContext,
) {
  const { engine } = context;
  return serve(req, res, dialect, context, async (raw, signal): Promise<Served> => {
    const body = parseWith(countTokensSchema, raw, { kind: 'bad_request' });
    factsOf(res).route = body.model;
    const route = resolveRoute(body.model, engine.settings.routes, engine.settings.providers);
    const hasAnthropic = route.targets.some(
      (t) => engine.settings.providers[t.provider]?.type === 'anthropic',
    );
    const id = factsOf(res).requestId ?? newRequestId();
    // No target that counts for us, or none answering: the gateway's own estimate (about 4
    // characters a token), said to be one.
    const estimate = (why: string): Served => {
      const canonical = anthropicCodec.decodeRequest({ max_tokens: 1, ...body });
      return {
        status: 200,
        body: { input_tokens: estimatePromptTokens(canonical), outlast_estimate: true },
        headers: {
          'request-id': id,
          'x-outlast-request-id': id,
          'x-outlast-token-count': `estimate; ${why}`,
        },
      };
    };
    if (!hasAnthropic) return estimate('no anthropic target');
    let answer: SideCallAnswer;
    try {
      answer = await engine.sideCall(
        {
          model: body.model,
          what: 'count_tokens',
          build: (target) =>
            target.type === 'anthropic'
              ? {
                  path: '/v1/messages/count_tokens',
                  body: { ...body, model: target.model },
                  headers: anthropicHeaders(req),
                }
              : undefined,
        },
        { signal },
      );
    } catch (error) {
      if (OutlastError.isInstance(error) && isTransientKind(error.kind))
        return estimate(`anthropic targets failed (${error.kind})`);
      throw error;
    }
    return {
      status: 200,
      body: answer.body,
      headers: { ...answerHeaders(dialect, id, answer), 'x-outlast-token-count': 'upstream' },
    };
  });
}

/** `GET /v1/models/{id}`: one entry of the list (routes and models), in the shape both SDKs read. */
export function modelInfo(engine: Engine, startedAt: Date, id: string): Record<string, unknown> | undefined {
  const found = engine.models().find((m) => m.id === id);
  if (!found) return undefined;
  const info = engine.settings.models(
    found.kind === 'route' ? '' : (found.targets[0]?.split('/').slice(1).join('/') ?? ''),
  );
  return {
    id: found.id,
    object: 'model',
    type: 'model',
    created: Math.floor(startedAt.getTime() / 1000),
    created_at: startedAt.toISOString(),
    owned_by: found.kind === 'route' ? 'outlast' : (found.targets[0]?.split('/')[0] ?? 'outlast'),
    display_name: found.kind === 'route' ? `route ${found.id} (${found.targets.join(' → ')})` : found.id,
    capabilities: null,
    deprecated_at: null,
    lifecycle: 'active',
    line: null,
    max_input_tokens: info.contextWindow ?? null,
    max_tokens: info.maxOutputTokens ?? null,
    retires_at: null,
    outlast: { kind: found.kind, targets: found.targets },
  };
}

export const MODEL_INFO_PATH = /^\/v1\/models\/(.+)$/;

export function serveModelInfo(
  ctx: { req: IncomingMessage; res: ServerResponse; path: string; dialect: Dialect },
  engine: Engine,
  startedAt: Date,
): number {
  const raw = MODEL_INFO_PATH.exec(ctx.path)?.[1] ?? '';
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    id = raw;
  }
  const entry = modelInfo(engine, startedAt, id);
  if (entry) {
    sendJson(ctx.res, 200, entry);
    return 200;
  }
  return sendError(
    ctx.res,
    ctx.dialect,
    new OutlastError({
      kind: 'not_found',
      status: 404,
      message: `The model '${id}' does not exist: it is not a route or a model of this gateway (GET /v1/models lists them)`,
    }),
    newRequestId(),
  );
}
