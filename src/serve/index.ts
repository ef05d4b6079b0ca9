/**
 * serve/: one model call served over HTTP semantics, for every entry point that speaks a
 * provider's API (the gateway, `outlast/fetch`). A layer of its own between those entry points
 * and engine/: it needs the engine, the wire codecs and the errors, and knows no transport
 * (neither node:http nor fetch's `Response`): a request comes in as a codec, a body reader and
 * a signal; the answer goes out as plain data each entry point writes in its own way.
 */
export {
  type CallFacts,
  errorAnswer,
  factHeaders,
  jsonAnswer,
  type ServedAnswer,
  streamAnswer,
} from './answer.ts';
export { badBody, parseJsonBody } from './parse-body.ts';
export { refusal, type ServeContext, type ServeRequest, serveCall } from './serve-call.ts';
export type { SseBody } from './sse-body.ts';
