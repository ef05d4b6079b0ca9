/** The server side of every wire codec, by format: what the mock decodes requests and encodes answers with. */
import { OutlastError } from '../errors/index.ts';
import type { WireFormat } from '../wire/canonical/index.ts';
import type { ServerCodec } from '../wire/codec.ts';
import { geminiCodec } from '../wire/gemini/index.ts';
import { openaiCodec } from '../wire/openai/index.ts';

// TEMPORARY until src/wire/anthropic lands: every Anthropic request is refused with a 501.
const anthropicPending: ServerCodec = {
  format: 'anthropic',
  decodeRequest() {
    throw new OutlastError({ kind: 'bad_request', message: 'the anthropic codec has not landed yet' });
  },
  encodeResponse: () => ({}),
  createStreamEncoder: () => ({ encode: () => '', end: () => '', keepAlive: () => '' }),
  encodeError: (error) => ({
    status: 501,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'error', error: { type: 'api_error', message: error.message } }),
  }),
  encodeStreamError: () => '',
};

export const SERVER_CODECS: Readonly<Record<WireFormat, ServerCodec>> = {
  anthropic: anthropicPending,
  openai: openaiCodec,
  gemini: geminiCodec,
};
