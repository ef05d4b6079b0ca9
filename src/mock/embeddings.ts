/**
 * `POST /v1/embeddings` in OpenAI's shape, and Gemini's `:embedContent` (`{embedding: {values}}`)
 * and `:batchEmbedContents` (`{embeddings: [{values}]}`): deterministic unit vectors seeded by
 * (seed, model, text), so the same input gives the same vector at every deployment of a model,
 * and the scenario's HTTP faults (429, 500, 529…) and resets as for generation. Stream faults do
 * not apply (the answer is one JSON body).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OutlastError } from '../errors/index.ts';
import type { ServerCodec } from '../wire/codec.ts';
import type { FaultPicker } from './fault-picker.ts';
import { planFaults } from './fault-plan.ts';
import { hash32 } from './hash.ts';
import { encodeHttpFault, encodeOwnError } from './http-errors.ts';
import { jsonHeaders, readBody, sendWire } from './http-io.ts';
import type { MockLogEntry } from './mock-log.ts';

const DEFAULT_DIMENSIONS = 8;

/** A unit vector from a string's hash: deterministic, different for different texts. */
export function mockVector(seed: number, model: string, text: string, dimensions: number): number[] {
  const raw: number[] = [];
  for (let i = 0; i < dimensions; i++) {
    raw.push(hash32(`${seed}\u0000embedding\u0000${model}\u0000${text}\u0000${i}`) / 2 ** 32 - 0.5);
  }
  const norm = Math.hypot(...raw) || 1;
  return raw.map((v) => Math.round((v / norm) * 1e6) / 1e6);
}

/** What a Gemini embedding request asks to embed: the text of each content, and its dimensions. */
function geminiInputs(
  body: Record<string, unknown>,
  batch: boolean,
): Array<{ text: string; dimensions: number | undefined }> | undefined {
  const one = (request: unknown) => {
    const r = (request ?? {}) as {
      content?: { parts?: Array<{ text?: unknown }> };
      outputDimensionality?: unknown;
    };
    const parts = r.content?.parts;
    if (!Array.isArray(parts) || parts.length === 0) return undefined;
    const text = parts.map((p) => (typeof p.text === 'string' ? p.text : '')).join('');
    return {
      text,
      dimensions: typeof r.outputDimensionality === 'number' ? r.outputDimensionality : undefined,
    };
  };
  const requests = batch ? body.requests : [body];
  if (!Array.isArray(requests) || requests.length === 0) return undefined;
  const out = requests.map(one);
  return out.every((r) => r !== undefined) ? out : undefined;
}

function inputs(body: Record<string, unknown>): string[] | undefined {
  const input = body.input;
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.length > 0) {
    // Token arrays are embedded by their digits: a stand-in, deterministic like the rest.
    return input.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
  }
  return undefined;
}

export async function handleEmbeddings(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: {
    picker: FaultPicker;
    entry: MockLogEntry;
    codec: ServerCodec;
    now: number;
    intentional: () => void;
    /** Gemini's endpoints: the model from the path, and whether it is the batch one. */
    gemini?: { model: string; batch: boolean };
  },
): Promise<void> {
  const { picker, entry, codec, gemini } = ctx;
  const format = gemini ? ('gemini' as const) : ('openai' as const);
  const refuse = (message: string) => {
    entry.error = message;
    sendWire(
      res,
      encodeOwnError(
        codec,
        format,
        new OutlastError({ kind: 'bad_request', status: 400, message }),
        entry.requestId,
      ),
    );
  };
  let body: Record<string, unknown>;
  try {
    body = JSON.parse((await readBody(req)).toString('utf8')) as Record<string, unknown>;
  } catch {
    return refuse('invalid JSON in the request body');
  }
  const model = gemini ? gemini.model : typeof body.model === 'string' ? body.model : undefined;
  const asked = gemini ? geminiInputs(body ?? {}, gemini.batch) : undefined;
  const texts = gemini ? asked?.map((a) => a.text) : inputs(body ?? {});
  if (!model) return refuse('you must provide a model parameter');
  if (!texts)
    return refuse(
      gemini
        ? '* content: every request needs a content with parts'
        : "'input' must be a non-empty string or array",
    );
  entry.model = model;
  const pick = picker.pick(model);
  entry.attempt = pick.attempt;
  const config = picker.model(model);
  const outcome = planFaults(pick.faults, config).outcome;
  const wireContext = { format, codec, model, requestId: entry.requestId, now: ctx.now };
  if (outcome?.type === 'http') return sendWire(res, encodeHttpFault(outcome, wireContext));
  if (outcome?.type === 'reset') {
    ctx.intentional();
    req.socket.resetAndDestroy();
    return;
  }
  if (!config.known) return sendWire(res, encodeHttpFault({ type: 'http', status: 404 }, wireContext));
  const dimensions = typeof body.dimensions === 'number' ? body.dimensions : DEFAULT_DIMENSIONS;
  if (gemini && asked) {
    const embeddings = asked.map((a) => ({
      values: mockVector(picker.seed, model, a.text, a.dimensions ?? DEFAULT_DIMENSIONS),
    }));
    const text = JSON.stringify(gemini.batch ? { embeddings } : { embedding: embeddings[0] });
    res.writeHead(200, {
      ...jsonHeaders('gemini', entry.requestId),
      'content-length': Buffer.byteLength(text),
    });
    entry.status = 200;
    res.end(text);
    return;
  }
  const tokens = texts.reduce((n, t) => n + Math.max(1, Math.ceil(t.length / 4)), 0);
  const base64 = body.encoding_format === 'base64';
  const data = texts.map((text, index) => {
    const vector = mockVector(picker.seed, model, text, dimensions);
    const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  const answer = JSON.stringify({
    object: 'list',
    data,
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
  res.writeHead(200, {
    ...jsonHeaders('openai', entry.requestId),
    'content-length': Buffer.byteLength(answer),
  });
  entry.status = 200;
  res.end(answer);
}
