/** The three wire codecs, and the one for a format. */
import { anthropicCodec } from './anthropic/index.ts';
import type { WireFormat } from './canonical/index.ts';
import type { Codec } from './codec.ts';
import { geminiCodec } from './gemini/index.ts';
import { openaiCodec } from './openai/index.ts';

export { anthropicCodec, geminiCodec, openaiCodec };

const CODECS: Readonly<Record<WireFormat, Codec>> = {
  anthropic: anthropicCodec,
  openai: openaiCodec,
  gemini: geminiCodec,
};

/** Both sides of the codec for a wire format. */
export function codecFor(format: WireFormat): Codec {
  return CODECS[format];
}
