/** The server side of every wire codec, by format: what the mock decodes requests and encodes answers with. */
import type { WireFormat } from '../wire/canonical/index.ts';
import type { ServerCodec } from '../wire/codec.ts';
import { CODECS } from '../wire/index.ts';

export const SERVER_CODECS: Readonly<Record<WireFormat, ServerCodec>> = CODECS;
