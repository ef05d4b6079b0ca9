/**
 * Client side: Chat Completions SSE → canonical parts. OpenAI has no block events, so they
 * are synthesised: a text block (and a thinking block for `reasoning_content`), then one
 * block per tool call index, each closed when the next one opens. The finish_reason chunk
 * closes the open block; the stop reason waits for the usage chunk so that `message_delta`
 * carries both. `complete` turns true at `[DONE]`, or once the finish reason and the usage
 * have arrived (or the finish reason alone when usage was not asked), so a stream missing
 * `[DONE]` finishes promptly.
 */
import { OutlastError } from '../../errors/index.ts';
import type { StopReason, StreamPart, Usage } from '../canonical/index.ts';
import type { SseEvent, StreamDecoder } from '../codec.ts';
import { learnValueTemplate, readValueTemplate, type ValueTemplate } from '../shared/value-template.ts';
import { chunkProblem } from './chunk-guard.ts';
import { decodeOpenaiStreamError } from './errors.ts';
import type { RawChunk } from './response-schema.ts';
import { decodeFinishReason } from './stop-reason.ts';
import { decodeUsage } from './usage.ts';
import { invalidResponse } from './validate.ts';

export interface OpenaiStreamDecoderOptions {
  /** Whether the request asked for a usage chunk (`stream_options.include_usage`). Default true: our encoder always asks. */
  expectUsage?: boolean;
}

type OpenBlock =
  | { kind: 'text' | 'thinking'; index: number }
  | { kind: 'tool'; index: number; toolIndex: number };

export function createOpenaiStreamDecoder(options: OpenaiStreamDecoderOptions = {}): StreamDecoder {
  const expectUsage = options.expectUsage ?? true;
  let started = false;
  let done = false;
  let closed = false;
  let chunks = 0;
  let textChars = 0;
  let open: OpenBlock | undefined;
  let nextIndex = 0;
  let stopReason: StopReason | undefined;
  let usage: Usage | undefined;
  let sawError = false;
  // OpenAI tool call index → canonical block index.
  const toolBlocks = new Map<number, number>();
  /** The text around the content of the last plain token chunk: the next ones are read without JSON.parse. */
  let tokenTemplate: ValueTemplate | undefined;

  function startIfNeeded(chunk: RawChunk, out: StreamPart[]): void {
    if (started) return;
    started = true;
    out.push({ type: 'message_start', id: chunk.id ?? '', model: chunk.model ?? '' });
  }

  function closeOpen(out: StreamPart[]): void {
    if (open) out.push({ type: 'block_stop', index: open.index });
    open = undefined;
  }

  function ensureBlock(kind: 'text' | 'thinking', out: StreamPart[]): number {
    if (open?.kind === kind) return open.index;
    closeOpen(out);
    const index = nextIndex++;
    open = { kind, index };
    out.push({ type: 'block_start', index, block: { type: kind } });
    return index;
  }

  type ToolFragment = NonNullable<
    NonNullable<NonNullable<RawChunk['choices']>[number]['delta']>['tool_calls']
  >[number];

  /** The OpenAI index of a fragment; without one, an id or a name starts a new call and anything else continues the open one. */
  function indexOf(fragment: ToolFragment): number {
    if (fragment.index !== undefined) return fragment.index;
    if (!fragment.id && !fragment.function?.name && open?.kind === 'tool') return open.toolIndex;
    return toolBlocks.size === 0 ? 0 : Math.max(...toolBlocks.keys()) + 1;
  }

  function toolFragments(fragments: ToolFragment[], chunkId: string | undefined, out: StreamPart[]): void {
    for (const fragment of fragments) {
      const toolIndex = indexOf(fragment);
      let index = toolBlocks.get(toolIndex);
      if (index === undefined) {
        const name = fragment.function?.name;
        if (!name) throw invalidResponse(`tool call ${toolIndex} started without a function name`);
        closeOpen(out);
        index = nextIndex++;
        toolBlocks.set(toolIndex, index);
        open = { kind: 'tool', index, toolIndex };
        // A call needs an id to be answered: make one when the server sent none.
        const id = fragment.id || `call_${chunkId ?? 'outlast'}_${toolIndex}`;
        out.push({ type: 'block_start', index, block: { type: 'tool_use', id, name } });
      }
      // A fragment for an earlier call (rare, some servers interleave) still lands on its own block.
      const args = fragment.function?.arguments;
      if (args) out.push({ type: 'block_delta', index, delta: { type: 'tool_input', partialJson: args } });
    }
  }

  function finishIfReady(out: StreamPart[], force: boolean): void {
    if (closed) return;
    const ready = stopReason !== undefined && (usage !== undefined || !expectUsage);
    if (!ready && !force) return;
    closeOpen(out);
    const part: StreamPart = { type: 'message_delta', stopReason: stopReason ?? 'end_turn' };
    if (usage) part.usage = usage;
    out.push(part, { type: 'message_stop' });
    closed = true;
  }

  function parseChunk(data: string): RawChunk & { error?: unknown } {
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch (error) {
      throw invalidResponse(`stream chunk is not JSON: ${data.slice(0, 80)}`, error);
    }
    if (typeof json === 'object' && json !== null && 'error' in json) return json as { error: unknown };
    const problem = chunkProblem(json);
    if (problem !== undefined) throw invalidResponse(`stream chunk has the wrong shape (${problem})`);
    return json as RawChunk;
  }

  /**
   * A template when the chunk is a plain token: one choice 0 whose delta is only a non-empty
   * `content`, no finish reason, no usage. Such a chunk changes nothing but the text, so the
   * same chunk with another content may skip the parse (value-template.ts).
   */
  function templateOf(chunk: RawChunk, data: string): ValueTemplate | undefined {
    const choice = chunk.choices?.length === 1 ? chunk.choices[0] : undefined;
    const d = choice?.delta;
    if (choice?.index !== 0 || choice.finish_reason || chunk.usage || !d) return undefined;
    if (typeof d.content !== 'string' || d.content === '' || !onlyContent(d)) return undefined;
    return learnValueTemplate(data, 'content', d.content);
  }

  return {
    get complete() {
      return done || closed;
    },
    push(event: SseEvent): StreamPart[] {
      const data = event.data.trim();
      if (data === '' || done) return [];
      const out: StreamPart[] = [];
      if (data === '[DONE]') {
        done = true;
        if (started) finishIfReady(out, true);
        return out;
      }
      const token = closed || !tokenTemplate ? undefined : readValueTemplate(tokenTemplate, data);
      if (token !== undefined) {
        // The last token chunk but for its content: only that content is new.
        chunks++;
        if (token !== '') {
          textChars += token.length;
          const index = ensureBlock('text', out);
          out.push({ type: 'block_delta', index, delta: { type: 'text', text: token } });
        }
        return out;
      }
      const chunk = parseChunk(data);
      if ('error' in chunk && chunk.error !== undefined && chunk.error !== null) {
        sawError = true;
        return [{ type: 'error', error: decodeOpenaiStreamError(chunk.error) }];
      }
      // After the answer closed only [DONE] matters; a stray chunk must not reopen it.
      if (closed) return [];
      chunks++;
      startIfNeeded(chunk, out);
      tokenTemplate = templateOf(chunk, data);
      for (const choice of chunk.choices ?? []) {
        // outlast asks for one choice; any other is not ours to assemble.
        if (choice.index !== 0) continue;
        const d = choice.delta;
        if (d?.reasoning_content) {
          const index = ensureBlock('thinking', out);
          out.push({
            type: 'block_delta',
            index,
            delta: { type: 'thinking', thinking: d.reasoning_content },
          });
        }
        // A refusal has no canonical block of its own: it is what the model said.
        const text = (d?.content ?? '') + (d?.refusal ?? '');
        if (text !== '') {
          textChars += text.length;
          const index = ensureBlock('text', out);
          out.push({ type: 'block_delta', index, delta: { type: 'text', text } });
        }
        if (d?.tool_calls) toolFragments(d.tool_calls, chunk.id, out);
        if (choice.finish_reason) {
          stopReason = decodeFinishReason(choice.finish_reason);
          closeOpen(out);
        }
      }
      if (chunk.usage) usage = decodeUsage(chunk.usage);
      finishIfReady(out, false);
      return out;
    },
    end(): StreamPart[] {
      if (closed) return [];
      const out: StreamPart[] = [];
      // Whole but for its terminator: the finish reason came, only usage or [DONE] did not.
      if (stopReason !== undefined || (done && started)) {
        finishIfReady(out, true);
        return out;
      }
      const got = `${chunks} chunk${chunks === 1 ? '' : 's'} (${textChars} characters of text, ${toolBlocks.size} tool call${toolBlocks.size === 1 ? '' : 's'})`;
      throw new OutlastError({
        kind: 'stream_interrupted',
        message: `openai-format stream ended after ${got}${sawError ? ' and an error chunk' : ''} without a finish_reason or [DONE]`,
      });
    },
  };
}

/** Whether a delta holds nothing the decoder reads but its content (a null refusal or role counts as nothing). */
function onlyContent(delta: object): boolean {
  for (const [key, value] of Object.entries(delta)) {
    if (key !== 'content' && value !== null && value !== undefined) return false;
  }
  return true;
}
