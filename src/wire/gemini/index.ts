/** Google Gemini generateContent / streamGenerateContent, both directions. */
import type { Codec } from '../codec.ts';
import { decodeError, encodeError, encodeStreamError, requestIdOf } from './errors.ts';
import { decodeRequest } from './parse-request.ts';
import { encodeRequest } from './request.ts';
import { decodeResponse, encodeResponse } from './response.ts';
import { createStreamDecoder } from './stream-decoder.ts';
import { createStreamEncoder } from './stream-encoder.ts';

export const geminiCodec: Codec = {
  format: 'gemini',
  authHeaders: (apiKey): Record<string, string> => (apiKey === undefined ? {} : { 'x-goog-api-key': apiKey }),
  encodeRequest,
  decodeResponse,
  createStreamDecoder,
  decodeError,
  requestIdOf,
  decodeRequest,
  encodeResponse,
  createStreamEncoder,
  encodeError,
  encodeStreamError,
};

export {
  decodeError,
  decodeStreamErrorFrame,
  encodeError,
  encodeStreamError,
  GEMINI_ERROR_TYPES,
  requestIdOf,
} from './errors.ts';
export { decodeRequest } from './parse-request.ts';
export { GEMINI_DEFAULT_BASE_URL, GEMINI_REQUEST_ID_HEADERS } from './provider-facts.ts';
export { encodeRequest } from './request.ts';
export { decodeResponse, encodeResponse } from './response.ts';
export { createStreamDecoder } from './stream-decoder.ts';
export { createStreamEncoder, TRUNCATED_FINISH_MESSAGE } from './stream-encoder.ts';
