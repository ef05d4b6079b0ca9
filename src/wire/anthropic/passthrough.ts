/** The shared passthrough helpers, bound to the Anthropic format (string or block content, a null usage field…). */
import type { JsonObject, Passthrough } from '../canonical/index.ts';
import { makeOwnPassthrough, type OwnPassthrough, readOwnPassthrough } from '../shared/passthrough.ts';

export { isJsonObject, META_KEY, unknownFields } from '../shared/passthrough.ts';

export type AnthropicPassthrough = OwnPassthrough;

export function readPassthrough(passthrough: Passthrough | undefined): AnthropicPassthrough {
  return readOwnPassthrough('anthropic', passthrough);
}

export function makePassthrough(fields: JsonObject, meta: JsonObject = {}): Passthrough | undefined {
  return makeOwnPassthrough('anthropic', fields, meta);
}

/** Sets `target.passthrough` only when there is something to keep. */
export function attachPassthrough<T extends { passthrough?: Passthrough }>(
  target: T,
  fields: JsonObject,
  meta: JsonObject = {},
): T {
  const passthrough = makePassthrough(fields, meta);
  if (passthrough) target.passthrough = passthrough;
  return target;
}
