import type { JsonObject, StopReason, StreamPart, Usage } from '../../src/wire/canonical/index.ts';
import type { Codec } from '../../src/wire/codec.ts';
import { parseSse } from '../../src/wire/shared/parse-sse.ts';

export { parseSse };

/** SSE text → canonical parts through a codec's decoder, `end()` included. */
export function decodeSse(codec: Codec, text: string): StreamPart[] {
  const decoder = codec.createStreamDecoder();
  const parts = parseSse(text).flatMap((e) => decoder.push(e));
  return [...parts, ...decoder.end()];
}

/** Canonical parts → SSE text through a codec's encoder. */
export function encodeSse(codec: Codec, parts: readonly StreamPart[], model = 'test-model'): string {
  const encoder = codec.createStreamEncoder({ model, includeUsage: true });
  return parts.map((p) => encoder.encode(p)).join('') + encoder.end();
}

export interface Assembled {
  text: string;
  thinking: string;
  toolCalls: Array<{ name: string; input: JsonObject }>;
  stopReason: StopReason | undefined;
  usage: Partial<Usage>;
  stopped: boolean;
}

/** What a caller ends up with from a stream: the content, not the framing. */
export function assemble(parts: readonly StreamPart[]): Assembled {
  const out: Assembled = {
    text: '',
    thinking: '',
    toolCalls: [],
    stopReason: undefined,
    usage: {},
    stopped: false,
  };
  const tools = new Map<number, { name: string; json: string }>();
  for (const part of parts) {
    if (part.type === 'message_start') out.usage = { ...out.usage, ...part.usage };
    if (part.type === 'block_start' && part.block.type === 'tool_use')
      tools.set(part.index, { name: part.block.name, json: '' });
    if (part.type === 'block_delta') {
      const d = part.delta;
      if (d.type === 'text') out.text += d.text;
      if (d.type === 'thinking') out.thinking += d.thinking;
      if (d.type === 'tool_input') tools.get(part.index)!.json += d.partialJson;
    }
    if (part.type === 'block_stop' && tools.has(part.index)) {
      const tool = tools.get(part.index)!;
      out.toolCalls.push({
        name: tool.name,
        input: tool.json === '' ? {} : (JSON.parse(tool.json) as JsonObject),
      });
    }
    if (part.type === 'message_delta') {
      if (part.stopReason) out.stopReason = part.stopReason;
      out.usage = { ...out.usage, ...part.usage };
    }
    if (part.type === 'message_stop') out.stopped = true;
  }
  return out;
}
