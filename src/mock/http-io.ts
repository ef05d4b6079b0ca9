/** Small node:http helpers of the mock: reading a body, sending JSON or a wire error, the headers per format. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WireFormat } from '../wire/canonical/index.ts';
import type { WireError } from './http-errors.ts';

const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Headers added to an answer (the limiter's); the answer's own win. */
export type ExtraHeaders = Readonly<Record<string, string>> | undefined;

export const withExtra = (headers: Record<string, string>, extra: ExtraHeaders): Record<string, string> =>
  extra ? { ...extra, ...headers } : headers;

export const wireWithExtra = (wire: WireError, extra: ExtraHeaders): WireError =>
  extra ? { ...wire, headers: withExtra(wire.headers, extra) } : wire;

export function sseHeaders(format: WireFormat, requestId: string): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
  };
  headers[format === 'anthropic' ? 'request-id' : 'x-request-id'] = requestId;
  return headers;
}

export function jsonHeaders(format: WireFormat, requestId: string): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  headers[format === 'anthropic' ? 'request-id' : 'x-request-id'] = requestId;
  return headers;
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendWire(res: ServerResponse, wire: WireError): void {
  res.writeHead(wire.status, { ...wire.headers, 'content-length': Buffer.byteLength(wire.body) });
  res.end(wire.body);
}
