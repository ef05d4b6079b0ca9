/** The wire codecs by format: one translation per provider, used by clients and servers alike. */

import { anthropicCodec } from './anthropic/index.ts';
import type { WireFormat } from './canonical/index.ts';
import type { Codec } from './codec.ts';
import { geminiCodec } from './gemini/index.ts';
import { openaiCodec } from './openai/index.ts';

export const CODECS: Readonly<Record<WireFormat, Codec>> = Object.freeze({
  anthropic: anthropicCodec,
  openai: openaiCodec,
  gemini: geminiCodec,
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
