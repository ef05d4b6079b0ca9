/**
 * Which provider holds each Responses API response the engine relayed (its id as the upstream
 * gave it), so that a call naming it as `previous_response_id` goes to that provider and no
 * other: a response stored at one account is unknown at the next. Bounded: the oldest ids are
 * forgotten first, and a call naming an id not held here may go to any Responses API target.
 */
import type { ClientCodec, StreamDecoder } from '../../wire/codec.ts';

export interface ResponseHomes {
  get(responseId: string): string | undefined;
  /** `codec`, noting the provider of each response it decodes. */
  recording(codec: ClientCodec, provider: string): ClientCodec;
  readonly size: number;
}

export const RESPONSE_HOMES_LIMIT = 10_000;

export function createResponseHomes(limit = RESPONSE_HOMES_LIMIT): ResponseHomes {
  const homes = new Map<string, string>();
  const note = (id: string, provider: string) => {
    if (id === '') return;
    homes.delete(id);
    homes.set(id, provider);
    if (homes.size > limit) homes.delete(homes.keys().next().value as string);
  };
  return {
    get: (id) => homes.get(id),
    get size() {
      return homes.size;
    },
    recording(codec, provider) {
      return {
        ...codec,
        decodeResponse(body) {
          const response = codec.decodeResponse(body);
          note(response.id, provider);
          return response;
        },
        createStreamDecoder(): StreamDecoder {
          const decoder = codec.createStreamDecoder();
          return {
            get complete() {
              return decoder.complete;
            },
            push(event) {
              const parts = decoder.push(event);
              for (const part of parts) if (part.type === 'message_start') note(part.id, provider);
              return parts;
            },
            end: () => decoder.end(),
          };
        },
      };
    },
  };
}
