/** Reading a response body whole, with a cap so a hostile or broken upstream cannot fill memory. */
import type { ResponseBody } from './dispatch.ts';

/** Enough for any provider's error body or proxy error page. */
export const ERROR_BODY_LIMIT = 64 * 1024;
/** Far above any real completion; a body past it is not a response we want to parse. */
export const RESPONSE_BODY_LIMIT = 32 * 1024 * 1024;

export interface BodyText {
  text: string;
  /** The body went past the limit: the rest was dropped and the socket destroyed. */
  truncated: boolean;
}

/**
 * Reads up to `limit` bytes as UTF-8. `onChunk` runs for every chunk (the idle timer).
 * Errors (reset, abort) propagate; the body is destroyed on every way out but a clean end.
 */
export async function readBodyText(
  body: ResponseBody,
  limit: number,
  onChunk?: () => void,
): Promise<BodyText> {
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      onChunk?.();
      const room = limit - bytes;
      if (chunk.byteLength > room) {
        text += decoder.decode(chunk.subarray(0, room));
        discard(body);
        return { text, truncated: true };
      }
      bytes += chunk.byteLength;
      text += decoder.decode(chunk, { stream: true });
    }
    return { text: text + decoder.decode(), truncated: false };
  } finally {
    if (!body.readableEnded) discard(body);
  }
}

/** Destroys a body (and with it the socket) without an unhandled 'error' from undici's abort. */
export function discard(body: ResponseBody): void {
  if (body.destroyed) return;
  body.on('error', () => undefined);
  body.destroy();
}
