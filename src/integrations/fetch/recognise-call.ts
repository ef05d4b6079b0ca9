import type { WireFormat } from '../../wire/canonical/index.ts';

/** An SDK call the engine runs: which format it speaks, and what Gemini puts in its path. */
export interface RecognisedCall {
  format: WireFormat;
  /** Gemini names the model in the path. */
  pathModel?: string;
  /** Gemini asks for a stream by path. */
  pathStream?: boolean;
  /** OpenAI's Responses API (`POST …/responses`) rather than Chat Completions. */
  responses?: boolean;
}

// The model may hold slashes: `gemini/gemini-2.5-flash` names a provider/model pair or a route.
const GEMINI_PATH = /\/models\/([^:]+):(generateContent|streamGenerateContent)$/;

/**
 * Recognises the official SDKs' generation calls by method and path; everything else (models
 * list, files, batches, token counting) is not an engine call and passes through.
 */
export function recogniseCall(method: string, url: URL): RecognisedCall | undefined {
  if (method !== 'POST') return undefined;
  const path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith('/v1/messages')) return { format: 'anthropic' };
  if (path.endsWith('/chat/completions')) return { format: 'openai' };
  // Only the create call: retrieving, cancelling or listing a stored response passes through.
  if (path.endsWith('/v1/responses') || path === '/responses') return { format: 'openai', responses: true };
  const gemini = GEMINI_PATH.exec(path);
  if (gemini) {
    return {
      format: 'gemini',
      pathModel: decodeURIComponent(gemini[1]!),
      pathStream: gemini[2] === 'streamGenerateContent',
    };
  }
  return undefined;
}
