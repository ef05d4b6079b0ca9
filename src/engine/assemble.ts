/** Builds the whole answer from canonical stream parts (non-streaming calls stream underneath). */
import { OutlastError } from '../errors/index.ts';
import type {
  CanonicalResponse,
  ContentBlock,
  JsonObject,
  StopReason,
  StreamPart,
  Usage,
} from '../wire/canonical/index.ts';
import { WHOLE_CHAT_COMPLETION } from '../wire/canonical/response-parts.ts';

type Building =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; json: string }
  | { type: 'thinking'; thinking: string; signature?: string }
  | { type: 'redacted_thinking'; data: string };

/** The Responses API events whose `response` is the whole answer. */
const TERMINAL_RESPONSES_EVENTS = new Set(['response.completed', 'response.incomplete']);

export interface Assembler {
  push(part: StreamPart): void;
  /** The answer so far, whole once `message_stop` was pushed. */
  result(): CanonicalResponse;
  /** Whether the answer ended cut short (`salvage`). */
  readonly truncated: boolean;
}

function finish(block: Building): ContentBlock {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'thinking':
      return {
        type: 'thinking',
        thinking: block.thinking,
        ...(block.signature === undefined ? {} : { signature: block.signature }),
      };
    case 'redacted_thinking':
      return { type: 'redacted_thinking', data: block.data };
    case 'tool_use': {
      let input: JsonObject = {};
      if (block.json.trim() !== '') {
        try {
          input = JSON.parse(block.json) as JsonObject;
        } catch (cause) {
          throw new OutlastError({
            kind: 'invalid_response',
            message: `tool call ${block.name} (${block.id}) arrived with arguments that are not JSON`,
            cause,
          });
        }
      }
      return { type: 'tool_use', id: block.id, name: block.name, input };
    }
  }
}

export function createAssembler(): Assembler {
  let id = '';
  let model = '';
  let stopReason: StopReason = 'end_turn';
  let stopSequence: string | null | undefined;
  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let truncated = false;
  const blocks = new Map<number, Building>();
  let verbatim: CanonicalResponse['verbatim'];

  const mergeUsage = (u: Partial<Usage> | undefined) => {
    if (!u) return;
    usage = { ...usage, ...Object.fromEntries(Object.entries(u).filter(([, v]) => v !== undefined)) };
  };

  return {
    get truncated() {
      return truncated;
    },
    push(part) {
      switch (part.type) {
        case 'message_start':
          id = part.id;
          model = part.model;
          mergeUsage(part.usage);
          return;
        case 'block_start': {
          const b = part.block;
          blocks.set(
            part.index,
            b.type === 'text'
              ? { type: 'text', text: '' }
              : b.type === 'thinking'
                ? { type: 'thinking', thinking: '' }
                : b.type === 'redacted_thinking'
                  ? { type: 'redacted_thinking', data: b.data }
                  : { type: 'tool_use', id: b.id, name: b.name, json: '' },
          );
          return;
        }
        case 'block_delta': {
          const block = blocks.get(part.index);
          const d = part.delta;
          if (!block) return;
          if (d.type === 'text' && block.type === 'text') block.text += d.text;
          else if (d.type === 'tool_input' && block.type === 'tool_use') block.json += d.partialJson;
          else if (d.type === 'thinking' && block.type === 'thinking') block.thinking += d.thinking;
          else if (d.type === 'signature' && block.type === 'thinking')
            block.signature = (block.signature ?? '') + d.signature;
          return;
        }
        case 'message_delta':
          if (part.stopReason) stopReason = part.stopReason;
          if (part.stopSequence !== undefined) stopSequence = part.stopSequence;
          mergeUsage(part.usage);
          return;
        case 'message_stop':
          if (part.truncated) truncated = true;
          return;
        case 'verbatim':
          // The dialect's own final answer, for a caller of that dialect (the Responses API's
          // terminal event carries the whole Response object).
          if (part.event === WHOLE_CHAT_COMPLETION)
            verbatim = { dialect: part.dialect, body: JSON.parse(part.data) as JsonObject };
          else if (TERMINAL_RESPONSES_EVENTS.has(part.event)) {
            const body = (JSON.parse(part.data) as { response?: JsonObject }).response;
            if (body) verbatim = { dialect: part.dialect, body };
          }
          return;
        case 'block_stop':
        case 'error':
        case 'passthrough':
          return;
      }
    },
    result() {
      const content = [...blocks.entries()].sort(([a], [b]) => a - b).map(([, b]) => finish(b));
      return {
        id,
        model,
        content,
        stopReason,
        ...(stopSequence === undefined ? {} : { stopSequence }),
        usage,
        ...(verbatim === undefined ? {} : { verbatim }),
      };
    },
  };
}
