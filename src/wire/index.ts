/** The wire codecs by format: one translation per provider, used by clients and servers alike. */

import {
  ANTHROPIC_DEFAULT_BASE_URL,
  ANTHROPIC_REQUEST_ID_HEADER,
  anthropicCodec,
} from './anthropic/index.ts';
import type { WireFormat } from './canonical/index.ts';
import type { Codec } from './codec.ts';
import { GEMINI_DEFAULT_BASE_URL, GEMINI_REQUEST_ID_HEADERS, geminiCodec } from './gemini/index.ts';
import { OPENAI_DEFAULT_BASE_URL, OPENAI_REQUEST_ID_HEADER, openaiCodec } from './openai/index.ts';

export const CODECS: Readonly<Record<WireFormat, Codec>> = Object.freeze({
  anthropic: anthropicCodec,
  openai: openaiCodec,
  gemini: geminiCodec,
});

/** Each provider's public endpoint, as its official SDK takes it (OpenAI's with `/v1`, the others without). */
export const DEFAULT_BASE_URLS: Readonly<Record<WireFormat, string>> = Object.freeze({
  anthropic: ANTHROPIC_DEFAULT_BASE_URL,
  openai: OPENAI_DEFAULT_BASE_URL,
  gemini: GEMINI_DEFAULT_BASE_URL,
});

/**
 * The response header each format's clients read a request id from (Anthropic's SDK
 * `request-id`, OpenAI's `x-request-id`; Gemini's clients read none, `x-request-id` is what
 * proxies send): what a server speaking the format should set.
 */
export const REQUEST_ID_HEADERS: Readonly<Record<WireFormat, string>> = Object.freeze({
  anthropic: ANTHROPIC_REQUEST_ID_HEADER,
  openai: OPENAI_REQUEST_ID_HEADER,
  gemini: GEMINI_REQUEST_ID_HEADERS[0],
});

/** The codec of a wire format. */
export function codecFor(format: WireFormat): Codec {
  const codec = CODECS[format];
  if (!codec) throw new TypeError(`no wire codec for format ${JSON.stringify(format)}`);
  return codec;
}

export { anthropicCodec } from './anthropic/index.ts';
export type * from './canonical/index.ts';
export { isContentPart } from './canonical/index.ts';
export type * from './codec.ts';
export { geminiCodec } from './gemini/index.ts';
export { openaiCodec } from './openai/index.ts';
