/** The Anthropic Messages codec, both directions. */
import type { Codec } from '../codec.ts';
import {
  anthropicRequestIdOf,
  decodeAnthropicError,
  encodeAnthropicError,
  encodeAnthropicStreamError,
} from './errors.ts';
import { parseAnthropicRequest } from './parse-request.ts';
import { encodeAnthropicRequest } from './request.ts';
import { decodeAnthropicResponse, encodeAnthropicResponse } from './response.ts';
import { createAnthropicStreamDecoder } from './stream-decoder.ts';
import { createAnthropicStreamEncoder } from './stream-encoder.ts';

export const anthropicCodec: Codec = {
  format: 'anthropic',
  authHeaders: (apiKey): Record<string, string> => (apiKey ? { 'x-api-key': apiKey } : {}),
  encodeRequest: encodeAnthropicRequest,
  decodeResponse: decodeAnthropicResponse,
  createStreamDecoder: () => createAnthropicStreamDecoder(),
  decodeError: decodeAnthropicError,
  requestIdOf: anthropicRequestIdOf,
  decodeRequest: (body) => parseAnthropicRequest(body),
  encodeResponse: encodeAnthropicResponse,
  createStreamEncoder: (options) => createAnthropicStreamEncoder(options),
  encodeError: encodeAnthropicError,
  encodeStreamError: encodeAnthropicStreamError,
};

export {
  ANTHROPIC_ERROR_TYPES,
  anthropicRequestIdOf,
  decodeAnthropicError,
  decodeAnthropicStreamError,
  encodeAnthropicError,
  encodeAnthropicStreamError,
} from './errors.ts';
export { parseAnthropicRequest } from './parse-request.ts';
export { isPrefillRejection } from './prefill.ts';
export { ANTHROPIC_DEFAULT_BASE_URL, ANTHROPIC_REQUEST_ID_HEADER } from './provider-facts.ts';
export { ANTHROPIC_VERSION, DEFAULT_MAX_TOKENS, encodeAnthropicRequest } from './request.ts';
export { decodeAnthropicResponse, encodeAnthropicResponse } from './response.ts';
export { createAnthropicStreamDecoder } from './stream-decoder.ts';
export { createAnthropicStreamEncoder } from './stream-encoder.ts';
