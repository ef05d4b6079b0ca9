/**
 * Errors node:http meets before a request reaches a handler (oversized or malformed headers,
 * slow headers or bodies) answered in JSON with the right status (431, 408, 400), rather
 * than node's bare 400. The dialect is not known before the headers are read, so the body
 * is one both SDKs parse: Anthropic's `{type:"error", error:{type, message}}` with OpenAI's
 * `error.message`/`error.code` in the same object.
 */
import type { Duplex } from 'node:stream';
import type { ServerLimits } from './limits.ts';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

export interface ClientErrorAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** What to answer for a node:http client error, or undefined when the socket should just be destroyed. */
export function answerFor(
  error: Error & { code?: string; reason?: string },
  limits: ServerLimits,
  bodyStarted: boolean,
): ClientErrorAnswer | undefined {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        code: 'request_header_fields_too_large',
        message: `request headers are over the gateway's limit of ${limits.maxHeaderBytes} bytes (server.maxHeaderBytes)`,
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return bodyStarted
        ? {
            status: 408,
            code: 'request_timeout',
            message: `the request body did not arrive within ${limits.requestTimeoutMs} ms (server.requestTimeoutMs)`,
          }
        : {
            status: 408,
            code: 'request_timeout',
            message: `the request headers did not arrive within ${limits.headersTimeoutMs} ms (server.headersTimeoutMs)`,
          };
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined;
    default:
      if (error.code?.startsWith('HPE_')) {
        return {
          status: 400,
          code: 'bad_request',
          message: `malformed HTTP request: ${error.reason ?? error.message}`,
        };
      }
      return undefined;
  }
}

/** Writes the answer straight to the socket and closes it. */
export function writeClientError(socket: Duplex, answer: ClientErrorAnswer): void {
  const body = JSON.stringify({
    type: 'error',
    error: { type: 'invalid_request_error', message: answer.message, code: answer.code },
  });
  socket.end(
    `HTTP/1.1 ${answer.status} ${REASONS[answer.status] ?? 'Error'}\r\n` +
      'content-type: application/json\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'connection: close\r\n\r\n' +
      body,
  );
}
