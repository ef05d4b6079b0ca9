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
  res.writeHead(answer.status, {
    ...answer.headers,
    'content-length': Buffer.byteLength(answer.body),
    // A body refused before it was read whole (its size, the body budget): the connection cannot be reused.
    ...(answer.status === 413 || !res.req.complete ? { connection: 'close' } : {}),
  });
  res.end(answer.body);
  return answer.status;
}
