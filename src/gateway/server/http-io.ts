/** Reading request bodies under a limit and writing JSON answers, on plain node:http. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badBody, parseJsonBody } from '../../serve/index.ts';

/** The body as JSON; a body over `limit` bytes is refused (413) without reading the rest. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    throw badBody(`request body is ${declared} bytes, over the gateway's limit of ${limit} bytes`, 413);
  }
  return parseJsonBody(await readText(req, limit));
}

/**
 * The body as UTF-8 text, over plain 'data'/'end' events: an async iterator per request costs
 * more than the body takes to read. Over `limit` it rejects and stops reading (the rest is left behind).
 */
function readText(req: IncomingMessage, limit: number): Promise<string> {
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
