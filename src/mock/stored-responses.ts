/**
 * The mock as OpenAI's own Responses API keeps what it answered (unless `store: false`), so a
 * request naming one as `previous_response_id` is answered with that conversation before its
 * own input, and one naming an id it never gave is refused as OpenAI refuses it. Bounded: the
 * oldest are forgotten first.
 */
import { OutlastError } from '../errors/index.ts';
import type { CanonicalRequest, ContentBlock, Message } from '../wire/canonical/index.ts';

export interface StoredResponses {
  /** The request with the stored conversation it continues before its own messages; throws a 400 for an unknown id. */
  resolve(request: CanonicalRequest): CanonicalRequest;
  remember(responseId: string, request: CanonicalRequest, answer: ContentBlock[]): void;
  clear(): void;
}

export function createStoredResponses(limit = 1000): StoredResponses {
  const stored = new Map<string, Message[]>();
  return {
    resolve(request) {
      const previous = request.origin?.body.previous_response_id;
      if (typeof previous !== 'string') return request;
      const earlier = stored.get(previous);
      if (!earlier) {
        const message = `Previous response with id '${previous}' not found.`;
        throw new OutlastError({
          kind: 'bad_request',
          status: 400,
          provider: 'openai',
          message,
          providerMessage: message,
        });
      }
      return { ...request, messages: [...earlier, ...request.messages] };
    },
    remember(responseId, request, answer) {
      if (request.origin?.body.store === false) return;
      const reply: Message[] = answer.length > 0 ? [{ role: 'assistant', content: answer }] : [];
      stored.set(responseId, [...request.messages, ...reply]);
      if (stored.size > limit) stored.delete(stored.keys().next().value as string);
    },
    clear: () => stored.clear(),
  };
}
