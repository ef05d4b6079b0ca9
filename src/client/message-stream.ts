/** `client.messages.stream()`: Anthropic events, `textStream`, `finalMessage()`, like the SDK's helper. */
import type { EngineCall, Trace } from '../engine/index.ts';
import { createAnthropicEventEncoder } from '../wire/anthropic/stream-events.ts';
import type { CanonicalResponse } from '../wire/canonical/index.ts';
import type { AnthropicMessage, AnthropicStreamEvent } from './types.ts';

export interface MessageStream extends AsyncIterable<AnthropicStreamEvent> {
  /** The text deltas only (iterates the same stream: use one or the other). */
  readonly textStream: AsyncIterable<string>;
  /** The whole message, once the stream ended (reads it to the end if nobody iterates). */
  finalMessage(): Promise<AnthropicMessage>;
  finalText(): Promise<string>;
  /** Stops the call, upstream included. */
  abort(): void;
  readonly trace: Promise<Trace>;
  withTrace(): Promise<{ data: AnthropicMessage; trace: Trace }>;
}

/**
 * The call's parts as Anthropic stream events: the objects the gateway frames as SSE, one
 * translation (src/wire/anthropic). The model is the one that committed to answer.
 */
export async function* anthropicEvents(call: EngineCall): AsyncGenerator<AnthropicStreamEvent> {
  const events = createAnthropicEventEncoder({ model: (await call.committed).model });
  for await (const part of call) yield* events.push(part);
}

export function createMessageStream(
  call: EngineCall,
  toMessage: (response: CanonicalResponse) => AnthropicMessage,
): MessageStream {
  const events = () => anthropicEvents(call);
  const finalMessage = async () => toMessage(await call.response());
  return {
    [Symbol.asyncIterator]: () => events(),
    textStream: {
      async *[Symbol.asyncIterator]() {
        for await (const event of events()) {
          if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
            yield event.delta.text;
        }
      },
    },
    finalMessage,
    async finalText() {
      const message = await finalMessage();
      return message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
    },
    abort: () => call.cancel(),
    trace: call.trace,
    async withTrace() {
      const data = await finalMessage();
      return { data, trace: await call.trace };
    },
  };
}

/**
 * A stream whose call could not start (bad params, a closed engine): it fails like any call
 * does, when it is read: iteration, `finalMessage()`, `finalText()` and `withTrace()` reject.
 */
export function failedMessageStream(error: unknown): MessageStream {
  const rejected = () => Promise.reject(error);
  // Rejects for whoever awaits it; no unhandled rejection for whoever does not.
  const trace = rejected();
  trace.catch(() => undefined);
  const failing = { [Symbol.asyncIterator]: () => ({ next: rejected }) };
  return {
    [Symbol.asyncIterator]: failing[Symbol.asyncIterator],
    textStream: failing,
    finalMessage: rejected,
    finalText: rejected,
    abort: () => undefined,
    trace,
    withTrace: rejected,
  };
}
