/** The server side of every wire codec, by format: what the mock decodes requests and encodes answers with. */
import { anthropicCodec } from '../wire/anthropic/index.ts';
import type { WireFormat } from '../wire/canonical/index.ts';
import type { ServerCodec } from '../wire/codec.ts';
import { geminiCodec } from '../wire/gemini/index.ts';
import { openaiCodec } from '../wire/openai/index.ts';

export const SERVER_CODECS: Readonly<Record<WireFormat, ServerCodec>> = {
  anthropic: anthropicCodec,
  openai: openaiCodec,
  gemini: geminiCodec,
};
