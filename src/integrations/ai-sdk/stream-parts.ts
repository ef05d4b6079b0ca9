/**
 * Canonical stream parts → the spec's stream parts: a block's start/delta/stop becomes
 * text-*, reasoning-* or tool-input-* (then one tool-call with the whole input), and the
 * message's stop reason and usage are kept for the finish part, which the caller writes
 * once the engine's trace is in. Both spec versions take the same parts.
 */
import type { LanguageModelV4StreamPart, SharedV4ProviderMetadata } from '@ai-sdk/provider';
import type { StopReason, StreamPart, Usage } from '../../wire/canonical/index.ts';

type OpenBlock =
  | { kind: 'text'; id: string }
  | { kind: 'reasoning'; id: string }
  | { kind: 'tool'; id: string; name: string; input: string };

export interface PartMapper {
  /** The spec parts for one canonical part (none for pings, message_start and message_stop). */
  map(part: StreamPart): LanguageModelV4StreamPart[];
  /** Ends blocks a broken stream left open, so the AI SDK is not left holding a half part. */
  closeOpen(): LanguageModelV4StreamPart[];
  readonly state: {
    readonly id: string | undefined;
    readonly model: string | undefined;
    readonly stopReason: StopReason | undefined;
    readonly usage: Partial<Usage> | undefined;
    readonly truncated: boolean;
  };
}

function own(values: Record<string, string>): SharedV4ProviderMetadata {
  return { outlast: values };
}

export function createPartMapper(): PartMapper {
  const open = new Map<number, OpenBlock>();
  const state = {
    id: undefined as string | undefined,
    model: undefined as string | undefined,
    stopReason: undefined as StopReason | undefined,
    usage: undefined as Partial<Usage> | undefined,
    truncated: false,
  };

  const end = (block: OpenBlock): LanguageModelV4StreamPart[] => {
    switch (block.kind) {
      case 'text':
        return [{ type: 'text-end', id: block.id }];
      case 'reasoning':
        return [{ type: 'reasoning-end', id: block.id }];
      case 'tool':
        return [
          { type: 'tool-input-end', id: block.id },
          // An empty input is a call with no arguments: the spec wants JSON, so `{}`.
          { type: 'tool-call', toolCallId: block.id, toolName: block.name, input: block.input || '{}' },
        ];
    }
  };

  return {
    state,
    map(part) {
      switch (part.type) {
        case 'message_start':
          state.id = part.id;
          state.model = part.model;
          if (part.usage) state.usage = { ...state.usage, ...part.usage };
          return [];
        case 'block_start': {
          const b = part.block;
          const id = String(part.index);
          switch (b.type) {
            case 'text':
              open.set(part.index, { kind: 'text', id });
              return [{ type: 'text-start', id }];
            case 'thinking':
              open.set(part.index, { kind: 'reasoning', id });
              return [{ type: 'reasoning-start', id }];
            case 'redacted_thinking':
              // As Anthropic's AI SDK provider does: an empty reasoning part carrying the data, sent back next turn.
              open.set(part.index, { kind: 'reasoning', id });
              return [{ type: 'reasoning-start', id, providerMetadata: own({ redactedData: b.data }) }];
            case 'tool_use':
              open.set(part.index, { kind: 'tool', id: b.id, name: b.name, input: '' });
              return [{ type: 'tool-input-start', id: b.id, toolName: b.name }];
          }
          return [];
        }
        case 'block_delta': {
          const block = open.get(part.index);
          if (!block) return [];
          const d = part.delta;
          switch (d.type) {
            case 'text':
              return d.text === '' ? [] : [{ type: 'text-delta', id: block.id, delta: d.text }];
            case 'thinking':
              return d.thinking === '' ? [] : [{ type: 'reasoning-delta', id: block.id, delta: d.thinking }];
            case 'signature':
              // The signature goes back with the reasoning on the next turn (providerOptions.outlast.signature).
              return [
                {
                  type: 'reasoning-delta',
                  id: block.id,
                  delta: '',
                  providerMetadata: own({ signature: d.signature }),
                },
              ];
            case 'tool_input':
              if (block.kind !== 'tool' || d.partialJson === '') return [];
              block.input += d.partialJson;
              return [{ type: 'tool-input-delta', id: block.id, delta: d.partialJson }];
          }
          return [];
        }
        case 'block_stop': {
          const block = open.get(part.index);
          if (!block) return [];
          open.delete(part.index);
          return end(block);
        }
        case 'message_delta':
          if (part.stopReason !== undefined) state.stopReason = part.stopReason;
          if (part.usage) state.usage = { ...state.usage, ...part.usage };
          return [];
        case 'message_stop':
          if (part.truncated) state.truncated = true;
          return [];
        case 'passthrough':
          // A provider event outlast does not model: nothing the AI SDK's parts can carry.
          return [];
        case 'error':
        case 'verbatim':
          return [];
      }
    },
    closeOpen() {
      const parts: LanguageModelV4StreamPart[] = [];
      for (const block of open.values()) {
        // A tool call whose input never finished is not a call: end its input, emit no call.
        if (block.kind === 'tool') parts.push({ type: 'tool-input-end', id: block.id });
        else parts.push(...end(block));
      }
      open.clear();
      return parts;
    },
  };
}
