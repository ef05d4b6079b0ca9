/** Raw HTTP/1.1 over a socket, for what fetch will not send: slow headers, oversized headers, endless chunked bodies. */
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Whether the server closed the socket (within the wait). */
  closed: boolean;
}

export function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Parses the first response on the socket (content-length or until close); waits at most `timeoutMs`. */
export function readAnswer(socket: Socket, timeoutMs = 5000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let text = '';
    let closed = false;
    const timer = setTimeout(
      () =>
        finish(new Error(`no complete answer within ${timeoutMs} ms: ${JSON.stringify(text.slice(0, 200))}`)),
      timeoutMs,
    );
    const parse = (): RawAnswer | undefined => {
      const end = text.indexOf('\r\n\r\n');
      if (end === -1) return undefined;
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const body = text.slice(end + 4);
      const length = headers['content-length'];
      if (length !== undefined && Buffer.byteLength(body) < Number(length)) return undefined;
      if (length === undefined && !closed) return undefined;
      return { status: Number(statusLine?.split(' ')[1]), headers, body, closed };
    };
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
      if (error) reject(error);
    };
    const check = () => {
      const answer = parse();
      if (answer) {
        finish();
        resolve(answer);
      }
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      check();
    };
    const onClose = () => {
      closed = true;
      const answer = parse();
      if (answer) {
        finish();
        resolve(answer);
      } else
        finish(new Error(`socket closed with no complete answer: ${JSON.stringify(text.slice(0, 200))}`));
    };
    // A reset after the answer arrived still leaves the answer readable.
    const onError = () => {};
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', onError);
  });
}

/** Resolves true when the server closes the socket within `timeoutMs`. */
export function closedWithin(socket: Socket, timeoutMs: number): Promise<boolean> {
  if (socket.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.resume();
  });
}
