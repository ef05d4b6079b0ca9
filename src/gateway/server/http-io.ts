/** Reading request bodies under a limit and writing JSON answers, on plain node:http. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badBody, parseJsonBody } from '../../serve/index.ts';
import type { BodyBudget } from './body-budget.ts';
import { jsonDepth } from './json-depth.ts';

export interface BodyReadOptions {
  /** Bodies over this many bytes get 413 (`server.bodyLimitBytes`). */
  readonly limit: number;
  /** JSON nested deeper gets 400 (`server.maxJsonDepth`). */
  readonly maxDepth?: number;
  /** Bytes of bodies held at once; the body's share is given back when `res` closes. */
  readonly budget?: BodyBudget;
  readonly res?: ServerResponse;
}

/** The body as JSON; a body over the limit is refused (413) without reading the rest. */
export async function readJsonBody(
  req: IncomingMessage,
  options: BodyReadOptions | number,
): Promise<unknown> {
  const { limit, maxDepth, budget, res } = typeof options === 'number' ? { limit: options } : options;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    throw badBody(`request body is ${declared} bytes, over the gateway's limit of ${limit} bytes`, 413);
  }
  let taken = 0;
  const take =
    budget === undefined
      ? undefined
      : (bytes: number) => {
          budget.take(bytes);
          taken += bytes;
        };
  if (budget !== undefined) res?.once('close', () => budget.give(taken));
  if (take && Number.isFinite(declared)) take(declared);
  const body = parseJsonBody(await readText(req, limit, Number.isFinite(declared) ? undefined : take));
  if (maxDepth !== undefined && jsonDepth(body, maxDepth) > maxDepth) {
    throw badBody(
      `request body is nested more than ${maxDepth} levels deep, over the gateway's limit (server.maxJsonDepth)`,
    );
  }
  return body;
}

/**
 * The body as UTF-8 text, over plain 'data'/'end' events: an async iterator per request costs
 * more than the body takes to read. Over `limit` it rejects and stops reading (the rest is left behind).
 */
function readText(
  req: IncomingMessage,
  limit: number,
  take: ((bytes: number) => void) | undefined,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(badBody(`request body is over the gateway's limit of ${limit} bytes`, 413));
        return;
      }
      if (take) {
        try {
          take(chunk.length);
        } catch (error) {
          cleanup();
          req.pause();
          reject(error);
          return;
        }
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(
        chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8'),
      );
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    // A client gone before the end: what for-await gave here was a premature-close error.
    const onClose = () => {
      cleanup();
      if (!req.complete)
        reject(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Resolves when the response can take more bytes, or when the client is gone (false). */
export function drained(res: ServerResponse): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onDrain = () => {
      res.off('close', onClose);
      resolve(true);
    };
    const onClose = () => {
      res.off('drain', onDrain);
      resolve(false);
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}
