/**
 * The `Response`s the SDK reads: a served call (src/serve) written as fetch's `Response`, so
 * the SDK gets the provider's own JSON, SSE or error body with the headers that let its
 * `requestID` and typed errors work, and outlast's account of the call.
 */
import type { ServedAnswer, SseBody } from '../../serve/index.ts';

/** The answer as a `Response`; a call whose signal aborted rejects with the signal's reason, as a real fetch does. */
export function toResponse(answer: ServedAnswer): Response {
  // An aborted fetch rejects with the signal's reason, as the platform's does: the SDK then
  // raises its own abort (or, for its own timeout, timeout) error.
  if (answer.kind === 'aborted') throw answer.reason;
  if (answer.kind === 'json') {
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  }
  return new Response(streamOf(answer.body), { status: answer.status, headers: answer.headers });
}

/**
 * The SSE pulled as the SDK reads (backpressure reaches the engine); when the SDK's signal
 * aborts the body fails as a real fetch body would, and cancelling it cancels the call.
 */
function streamOf(body: SseBody): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let text: string | undefined;
      try {
        text = await body.next();
      } catch (reason) {
        controller.error(reason);
        return;
      }
      if (text === undefined) controller.close();
      else controller.enqueue(bytes.encode(text));
    },
    cancel(reason) {
      body.cancel(reason);
    },
  });
}
