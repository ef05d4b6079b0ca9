/** What the engine runs on when not told otherwise: the three wire codecs and the undici transport. */
import { createTransport } from '../transport/index.ts';
import { isPrefillRejection } from '../wire/anthropic/index.ts';
import type { Codec } from '../wire/codec.ts';
import { codecFor } from '../wire/index.ts';
import type { ProviderType } from './config.ts';
import type { EngineTransport } from './upstream.ts';

// A provider type is the wire format its API speaks: the codec table is wire's.
export const defaultCodecFor = (type: ProviderType): Codec => codecFor(type);
export const defaultIsPrefillRejection = isPrefillRejection;
export const createDefaultTransport = (): EngineTransport => createTransport();
