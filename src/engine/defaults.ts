/** What the engine runs on when not told otherwise: the three wire codecs and the undici transport. */
import { createTransport } from '../transport/index.ts';
import { anthropicCodec, isPrefillRejection } from '../wire/anthropic/index.ts';
import type { Codec } from '../wire/codec.ts';
import { geminiCodec } from '../wire/gemini/index.ts';
import { openaiCodec } from '../wire/openai/index.ts';
import type { ProviderType } from './config.ts';
import type { EngineTransport } from './upstream.ts';

const CODECS: Readonly<Record<ProviderType, Codec>> = {
  anthropic: anthropicCodec,
  openai: openaiCodec,
  gemini: geminiCodec,
};

export const defaultCodecFor = (type: ProviderType): Codec => CODECS[type];
export const defaultIsPrefillRejection = isPrefillRejection;
export const createDefaultTransport = (): EngineTransport => createTransport();
