/** The gateway's Messages answers with every field the Anthropic SDK's `Message` type requires (src/wire/anthropic/sdk-fields.ts). */
import { withSdkFields } from '../../../wire/anthropic/sdk-fields.ts';
import type { JsonObject } from '../../../wire/canonical/index.ts';
import type { ServerCodec } from '../../../wire/codec.ts';

export function withSdkFieldsCodec(codec: ServerCodec): ServerCodec {
  return {
    ...codec,
    encodeResponse: (response, options) =>
      withSdkFields(codec.encodeResponse(response, options) as JsonObject),
  };
}
