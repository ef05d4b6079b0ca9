/** A served call's JSON (or error) answer written whole onto a node:http response. */
import type { ServerResponse } from 'node:http';
import type { ServedAnswer } from '../../serve/index.ts';
import { factsOf } from './request-facts.ts';

/** Writes the answer and returns its status; 499 when there is nobody left to write it to. */
export function writeAnswer(res: ServerResponse, answer: ServedAnswer): number {
  if (answer.kind !== 'json') return 499;
  const facts = factsOf(res);
  facts.requestId ??= answer.headers['x-outlast-request-id'];
  if (answer.error) {
    facts.errorKind = answer.error.kind;
    if (answer.error.attempts) facts.attempts = answer.error.attempts.length;
  }
  if (res.destroyed) return 499;
  const { req } = res;
  const unread = !req.complete && !req.destroyed;
  const headers: Record<string, string | number> = {
    ...answer.headers,
    'content-length': Buffer.byteLength(answer.body),
  };
  // Answered before the body arrived whole (its size, the body budget, a limit): closing now
  // would reset a client still sending, which then sees EPIPE instead of this answer. The rest
  // is read and dropped, and the connection closed once it has come (or cut past a cap).
  if (unread) delete headers['connection'];
  res.writeHead(answer.status, headers);
  res.end(answer.body);
  if (unread) dropRestOfBody(res);
  return answer.status;
}

/** The most of a refused body read and dropped before the connection is cut instead. */
const DROP_CAP_BYTES = 64 * 1024 * 1024;

function dropRestOfBody(res: ServerResponse): void {
  const { req } = res;
  let dropped = 0;
  // Whoever was reading it has stopped (and paused it); nobody else will.
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DROP_CAP_BYTES) req.socket.destroy();
  });
  req.once('end', () => {
    if (!res.socket?.destroyed) res.socket?.end();
  });
  req.resume();
}
