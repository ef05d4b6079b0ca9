/**
 * The client's own API headers, kept for a target of the client's format: `anthropic-beta`
 * (prompt caching, 1M context, PDFs, context management all depend on it) and
 * `anthropic-version` for Anthropic, `openai-beta` for OpenAI. A target of another format
 * never sees them (its codec ignores headers of a format not its own).
 */
import type { IncomingMessage } from 'node:http';
import { createDialect, type Dialect } from '../dialect.ts';

const FORWARDED: Readonly<Record<string, readonly string[]>> = {
  anthropic: ['anthropic-beta', 'anthropic-version'],
  openai: ['openai-beta'],
};

/** The dialect for one request, its codec tagging the decoded request with the client's headers. */
export function withClientHeaders(dialect: Dialect, req: IncomingMessage): Dialect {
  const names = FORWARDED[dialect.name] ?? [];
  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = req.headers[name];
    if (typeof value === 'string' && value !== '') headers[name] = value;
    else if (Array.isArray(value) && value.length > 0) headers[name] = value.join(',');
  }
  if (Object.keys(headers).length === 0) return dialect;
  const { codec } = dialect;
  return createDialect(dialect.name, {
    ...codec,
    decodeRequest: (body, context) => ({
      ...codec.decodeRequest(body, context),
      clientHeaders: { format: codec.format, headers },
    }),
  });
}
