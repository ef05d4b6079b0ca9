/**
 * Which client codec an attempt speaks to its target. A Responses API call goes as it came to
 * an `openai` provider that is OpenAI's own Responses API (`responses: true`); anywhere else it
 * is translated, unless it uses what only that API serves (stored state, hosted tools…), and
 * then the target is untranslatable: the call moves on, and a route with no such target answers
 * 400 naming the field. A call that continues an earlier response goes only to the provider that
 * holds that response, when the engine saw which one answered it. Continuations are translated:
 * a relayed Responses answer is never continued.
 */
import { OutlastError } from '../../errors/index.ts';
import type { CanonicalRequest } from '../../wire/canonical/index.ts';
import type { ClientCodec } from '../../wire/codec.ts';
import { relayedChatClientCodec } from '../../wire/openai/index.ts';
import { responsesClientCodec } from '../../wire/openai-responses/index.ts';
import type { ProviderConfig, ProviderType } from '../config.ts';
import type { TargetRef } from '../routes.ts';
import type { ResponseHomes } from './response-homes.ts';

export interface TargetCodecDeps {
  codecFor: (type: ProviderType) => ClientCodec;
  responseHomes: ResponseHomes;
}

function untranslatable(path: string, message: string): OutlastError {
  const text = `${path}: ${message}`;
  return new OutlastError({ kind: 'bad_request', message: text, providerMessage: text });
}

export function codecForAttempt(
  deps: TargetCodecDeps,
  ref: TargetRef,
  provider: ProviderConfig,
  request: CanonicalRequest,
  continuation: boolean,
): { codec: ClientCodec; verbatim: boolean } {
  const origin = request.origin;
  if (origin?.dialect === 'openai-responses' && !continuation) {
    if (provider.type === 'openai' && provider.responses === true) {
      const previous = origin.body.previous_response_id;
      const home = typeof previous === 'string' ? deps.responseHomes.get(previous) : undefined;
      if (home !== undefined && home !== ref.provider)
        throw untranslatable(
          'previous_response_id',
          `response ${previous} is held by provider ${home}; ${ref.provider} cannot continue it`,
        );
      return { codec: deps.responseHomes.recording(responsesClientCodec, ref.provider), verbatim: true };
    }
  }
  // What Chat Completions cannot say in the canonical model (n > 1, audio) goes as it came to
  // an OpenAI-format target, never continued.
  if (origin?.dialect === 'openai-chat' && provider.type === 'openai' && !continuation)
    return { codec: relayedChatClientCodec, verbatim: true };
  const need = origin?.needs[0];
  if (need)
    throw untranslatable(
      need.path,
      origin?.dialect === 'openai-chat'
        ? `${need.what} passes only to an OpenAI-format target, as it came; ${ref.provider}/${ref.model} speaks the ${provider.type} format`
        : `${need.what} needs OpenAI's own Responses API as the upstream (an openai provider with \`responses: true\`); ${ref.provider}/${ref.model} ${provider.type === 'openai' ? 'is not marked as one' : `speaks the ${provider.type} format`}`,
    );
  return { codec: deps.codecFor(provider.type), verbatim: false };
}
