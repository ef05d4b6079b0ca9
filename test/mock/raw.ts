/** Raw HTTP over node:net for the mock's wire tests: what exactly arrives, and how the socket ends. */
import { connect, type Socket } from 'node:net';

export interface RawResult {
  /** Every byte received, as text. */
  data: string;
  /** How the socket ended: closed by the peer, reset, or still open when we stopped waiting. */
  end: 'closed' | 'reset' | 'open';
  errorCode?: string;
}

export function rawRequest(path: string, body: unknown, headers: Record<string, string> = {}): string {
  const text = JSON.stringify(body);
  const lines = [
    `POST ${path} HTTP/1.1`,
    'host: 127.0.0.1',
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(text)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ];
  return lines.join('\r\n') + text;
}

/**
 * Sends `request` and collects what comes back until the peer closes or resets, or until
 * `waitMs` passes with the socket still open (then it is destroyed by us).
 */
export function rawExchange(port: number, request: string, waitMs = 2000): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let data = '';
    let settled = false;
    const done = (result: RawResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ data, end: 'open' }), waitMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
    });
    socket.on('error', (error: NodeJS.ErrnoException) =>
      done({ data, end: 'reset', ...(error.code ? { errorCode: error.code } : {}) }),
    );
    socket.on('close', () => done({ data, end: 'closed' }));
    socket.write(request);
  });
}
