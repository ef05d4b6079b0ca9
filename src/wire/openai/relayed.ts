/**
 * Chat Completions relayed as they came, for what the canonical model cannot carry back
 * (`n > 1`, audio output): the request goes to an OpenAI-format target as the client sent it
 * (the target's model written in), and every chunk of the answer comes back unchanged (a
 * `verbatim` part) ahead of the canonical parts the engine reads, which follow choice 0 only
 * (its audio transcript as text). Such an answer is never continued: after the commit point a
 * failure ends the stream with the error chunk. Server side, a stream that met a relayed chunk
 * sends chunks only as they came, then `[DONE]`.
 */
import type { OutlastError } from '../../errors/index.ts';
import { OutlastError as Outlast } from '../../errors/index.ts';
import type { CanonicalRequest, CanonicalResponse, JsonObject, StreamPart } from '../canonical/index.ts';
import type { SseEvent, StreamDecoder, StreamEncoder, UpstreamRequestSpec } from '../codec.ts';
import { isJsonObject } from '../shared/passthrough.ts';
import { encodeOpenaiStreamError } from './errors.ts';
import { decodeOpenaiResponse } from './response.ts';
import { createOpenaiStreamDecoder } from './stream-decoder.ts';
import { decodeUsage } from './usage.ts';
import { badRequest } from './validate.ts';

export function encodeRelayedChatRequest(
  request: CanonicalRequest,
  options: { model: string; stream: boolean },
): UpstreamRequestSpec {
  const origin = request.origin;
  if (origin?.dialect !== 'openai-chat')
    throw badRequest('', 'only a Chat Completions request is relayed as it came');
  const body: JsonObject = { ...origin.body, model: options.model };
  if (options.stream) body.stream = true;
  else if (body.stream !== undefined) body.stream = false;
  const headers = request.clientHeaders?.format === 'openai' ? { ...request.clientHeaders.headers } : {};
  return { path: '/chat/completions', body, headers };
}

/** Choice 0 of a chunk or message as the canonical decoder reads it: its audio transcript as text. */
function firstChoice<T extends Record<string, unknown>>(raw: T, key: 'delta' | 'message'): T {
  const choices = Array.isArray(raw.choices) ? raw.choices : [];
  const first = choices
    .filter((c) => isJsonObject(c) && (c.index ?? 0) === 0)
    .map((c) => {
      const choice = c as JsonObject;
      const inner = isJsonObject(choice[key]) ? choice[key] : undefined;
      const audio = inner && isJsonObject(inner.audio) ? inner.audio : undefined;
      if (!inner || !audio || typeof audio.transcript !== 'string' || typeof inner.content === 'string')
        return choice;
      return { ...choice, [key]: { ...inner, content: audio.transcript } };
    });
  return { ...raw, choices: first };
}

export function decodeRelayedChatResponse(body: unknown): CanonicalResponse {
  const whole = isJsonObject(body) ? body : {};
  return {
    ...decodeOpenaiResponse(firstChoice(whole, 'message')),
    verbatim: { dialect: 'openai-chat', body: whole },
  };
}

export function createRelayedChatDecoder(): StreamDecoder {
  // The finish waits for [DONE]: choice 0 may finish while the others still stream.
  const inner = createOpenaiStreamDecoder({ expectUsage: false });
  let done = false;
  let held: StreamPart[] = [];
  let usage: ReturnType<typeof decodeUsage> | undefined;
  const release = (): StreamPart[] => {
    const out = held.map((part) => (part.type === 'message_delta' && usage ? { ...part, usage } : part));
    held = [];
    return out;
  };
  return {
    get complete() {
      return done;
    },
    push(event: SseEvent): StreamPart[] {
      const data = event.data.trim();
      if (data === '' || done) return [];
      if (data === '[DONE]') {
        done = true;
        return [...inner.push(event), ...release()];
      }
      let chunk: unknown;
      try {
        chunk = JSON.parse(data);
      } catch {
        return inner.push(event);
      }
      // An error chunk is the engine's to handle, and to tell the client in its own words.
      if (!isJsonObject(chunk) || (chunk.error !== undefined && chunk.error !== null))
        return inner.push(event);
      if (isJsonObject(chunk.usage)) usage = decodeUsage(chunk.usage);
      const out: StreamPart[] = [
        { type: 'verbatim', dialect: 'openai-chat', event: '', data: event.data, live: true },
      ];
      for (const part of inner.push({ ...event, data: JSON.stringify(firstChoice(chunk, 'delta')) })) {
        if (part.type === 'message_delta' || part.type === 'message_stop') held.push(part);
        else out.push(part);
      }
      return out;
    },
    end(): StreamPart[] {
      if (done) return [];
      // Whole but for [DONE] once choice 0 finished; cut otherwise.
      if (held.length > 0) return release();
      return inner.end();
    },
  };
}

const CUT_RELAYED = new Outlast({
  kind: 'stream_interrupted',
  message:
    'the upstream broke off an answer relayed as it came (n > 1 or audio), which can be neither continued nor salvaged',
});

/** The client's stream: the inner encoder's until a relayed chunk arrives, then the chunks as they came. */
export function createRelayedChatEncoder(inner: StreamEncoder): StreamEncoder {
  let relaying = false;
  let ended = false;
  const fail = (error: OutlastError) => {
    ended = true;
    return encodeOpenaiStreamError(error);
  };
  return {
    encode(part) {
      if (part.type === 'verbatim') {
        if (part.dialect !== 'openai-chat' || ended) return '';
        relaying = true;
        return `data: ${part.data}\n\n`;
      }
      if (!relaying) return inner.encode(part);
      if (ended) return '';
      if (part.type === 'error') return fail(part.error);
      if (part.type === 'message_stop') {
        if (part.truncated) return fail(CUT_RELAYED);
        ended = true;
        return 'data: [DONE]\n\n';
      }
      return '';
    },
    end: () => (relaying ? '' : inner.end()),
    keepAlive: () => inner.keepAlive(),
  };
}
