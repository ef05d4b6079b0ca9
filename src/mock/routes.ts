/**
 * Which provider endpoint a request is for, from its method and path. The OpenAI and
 * Anthropic paths are also accepted without `/v1`, as base URLs are often set either way.
 */
import type { WireFormat } from '../wire/canonical/index.ts';

export type Route =
  | {
      type: 'generate';
      format: WireFormat;
      pathModel?: string;
      pathStream?: boolean;
      geminiSse?: boolean;
      /** OpenAI's Responses API (`/v1/responses`) rather than Chat Completions. */
      responses?: boolean;
    }
  | { type: 'models'; format: WireFormat }
  | { type: 'embeddings'; gemini?: { model: string; batch: boolean } }
  | { type: 'count_tokens' }
  | { type: 'control'; action: 'health' | 'log' | 'reset' | 'scenario' }
  | { type: 'unknown' };

const GEMINI_EMBED = /^\/v1(?:beta|alpha)?\/models\/([^/:]+(?:\/[^/:]+)?):(embedContent|batchEmbedContents)$/;
const GEMINI = /^\/v1(?:beta|alpha)?\/models\/([^/:]+(?:\/[^/:]+)?):(generateContent|streamGenerateContent)$/;

export function routeOf(
  method: string,
  url: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Route {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  if (path.startsWith('/_mock/')) {
    const action = path.slice('/_mock/'.length);
    if (method === 'GET' && (action === 'health' || action === 'log')) return { type: 'control', action };
    if (method === 'POST' && (action === 'reset' || action === 'scenario'))
      return { type: 'control', action };
    return { type: 'unknown' };
  }
  if (method === 'POST') {
    if (path === '/v1/messages' || path === '/messages') return { type: 'generate', format: 'anthropic' };
    if (path === '/v1/messages/count_tokens' || path === '/messages/count_tokens')
      return { type: 'count_tokens' };
    if (path === '/v1/chat/completions' || path === '/chat/completions')
      return { type: 'generate', format: 'openai' };
    if (path === '/v1/responses' || path === '/responses')
      return { type: 'generate', format: 'openai', responses: true };
    if (path === '/v1/embeddings' || path === '/embeddings') return { type: 'embeddings' };
    const embed = GEMINI_EMBED.exec(path);
    if (embed)
      return {
        type: 'embeddings',
        gemini: { model: decodeURIComponent(embed[1]!), batch: embed[2] === 'batchEmbedContents' },
      };
    const gemini = GEMINI.exec(path);
    if (gemini) {
      const pathStream = gemini[2] === 'streamGenerateContent';
      return {
        type: 'generate',
        format: 'gemini',
        pathModel: decodeURIComponent(gemini[1]!),
        pathStream,
        geminiSse: pathStream && new URLSearchParams(query).get('alt') === 'sse',
      };
    }
  }
  if (method === 'GET') {
    if (path === '/v1/models' || path === '/models')
      return { type: 'models', format: headers['anthropic-version'] ? 'anthropic' : 'openai' };
    if (/^\/v1(?:beta|alpha)?\/models$/.test(path)) return { type: 'models', format: 'gemini' };
  }
  return { type: 'unknown' };
}
