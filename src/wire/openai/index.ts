/** The OpenAI Chat Completions codec (also every OpenAI-compatible server), both directions. */
import type { ClientCodec, Codec } from '../codec.ts';
import {
  decodeOpenaiError,
  encodeOpenaiError,
  encodeOpenaiStreamError,
  openaiRequestIdOf,
} from './errors.ts';
import { parseOpenaiRequest } from './parse-request.ts';
import {
  createRelayedChatDecoder,
  createRelayedChatEncoder,
  decodeRelayedChatResponse,
  encodeRelayedChatRequest,
} from './relayed.ts';
import { encodeOpenaiRequest } from './request.ts';
import { decodeOpenaiResponse, encodeOpenaiResponse } from './response.ts';
import { createOpenaiStreamDecoder } from './stream-decoder.ts';
import { createOpenaiStreamEncoder } from './stream-encoder.ts';

export const openaiCodec: Codec = {
  format: 'openai',
  authHeaders: (apiKey): Record<string, string> => (apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
  encodeRequest: encodeOpenaiRequest,
  decodeResponse: decodeOpenaiResponse,
  createStreamDecoder: () => createOpenaiStreamDecoder(),
  decodeError: decodeOpenaiError,
  requestIdOf: openaiRequestIdOf,
  decodeRequest: (body) => parseOpenaiRequest(body),
  encodeResponse: encodeOpenaiResponse,
  createStreamEncoder: (options) =>
    options.relayed === 'openai-chat'
      ? createRelayedChatEncoder(createOpenaiStreamEncoder(options))
      : createOpenaiStreamEncoder(options),
  encodeError: encodeOpenaiError,
  encodeStreamError: encodeOpenaiStreamError,
};

/** The client side for a Chat Completions call relayed as it came (`n > 1`, audio output). */
export const relayedChatClientCodec: ClientCodec = {
  ...openaiCodec,
  encodeRequest: encodeRelayedChatRequest,
  decodeResponse: decodeRelayedChatResponse,
  createStreamDecoder: createRelayedChatDecoder,
};

export {
  decodeOpenaiError,
  decodeOpenaiStreamError,
  encodeOpenaiError,
  encodeOpenaiStreamError,
  OPENAI_ERROR_TYPES,
  openaiRequestIdOf,
} from './errors.ts';
export { parseOpenaiRequest } from './parse-request.ts';
export { OPENAI_DEFAULT_BASE_URL, OPENAI_REQUEST_ID_HEADER } from './provider-facts.ts';
export { encodeOpenaiRequest } from './request.ts';
export { decodeOpenaiResponse, encodeOpenaiResponse } from './response.ts';
export { createOpenaiStreamDecoder, type OpenaiStreamDecoderOptions } from './stream-decoder.ts';
export { createOpenaiStreamEncoder, type OpenaiStreamEncoderOptions } from './stream-encoder.ts';
