/**
 * The caller's stable answer stream over one or more upstream pieces (the first answer, then
 * continuations after interruptions), with its commit gate.
 *
 * Interface, as the engine drives it:
 * - `createStitcher(emit, { onCommit?, atomicToolCalls? })`: `emit` receives the caller's parts.
 * - `beginPiece(mode?)` before each piece's parts. A piece begun before the commit is the
 *   first piece (mode ignored); one begun after it is a continuation and `mode` says how it
 *   was asked for (`{ kind: 'prefill', trimmed }` or `{ kind: 'continue', anchor }`, as
 *   `buildContinuation` returns; default: a continue turn with `chooseAnchor`'s anchor).
 * - `push(part)` for each part of the piece. Throws an OutlastError (kind `invalid_response`,
 *   code `OUTLAST_CONTINUATION_UNALIGNED`, retryable) when a continuation cannot be aligned;
 *   nothing of that piece has reached the caller then.
 * - `finish()` when the upstream ended without error (ends the answer if the piece had no
 *   `message_stop`; may throw as `push` does for a head that never got decided).
 * - `abandonPiece()` when a piece failed and nothing of it was forwarded: what it held is
 *   dropped; before the commit it is as if it never began (the engine may retry invisibly).
 * - `interruptPiece()` when a piece failed after forwarding: held parts are dropped, the
 *   caller's open text block stays open for the continuation, the usage is kept.
 * - `salvage()` ends the answer with what the caller has, marked truncated.
 * - `partialContent()`: the answer so far as assistant content to continue from (text blocks;
 *   undefined when it cannot be continued: nothing yet, an open thinking block, or a
 *   forwarded tool call).
 * - `committed` (the first content was forwarded; `onCommit` fired then), `pieceForwarded`
 *   (the current piece forwarded something), `ended`, `totalOutputTokens`,
 *   `wastedOutputTokens`.
 *
 * The commit gate: the first piece's message_start and empty blocks are held until its first
 * content (a text or thinking delta, or a whole tool call) is forwarded. A continuation's
 * head is held until `alignContinuation` decides: aligned → the rest is forwarded into the
 * block the caller has open; complete → the answer ends with what the caller has (the stop
 * reason an earlier piece reported, else end_turn); unaligned → the error above. Thinking a
 * continuation sends before its text is dropped (the caller's answer has its thinking).
 *
 * Tool calls are atomic by default: a tool_use block's start and argument deltas are held
 * until its block_stop, then sent as block_start, one delta with the whole JSON, block_stop
 * (text and thinking still stream). A cut inside one drops it, so the answer can be continued
 * from the text before it and the continuation produces the whole call. The cost: the
 * arguments arrive in one piece, at the end of the block. `atomicToolCalls: false` streams
 * them as they come, and a cut inside a call then ends the answer.
 *
 * Usage is the sum over the pieces (what was billed to produce the answer); a piece cut
 * before reporting its output tokens counts what it sent at ~4 characters a token. Text held
 * and dropped (repeats, preambles, an unaligned head, a cut tool call) counts as wasted.
 */
import { OutlastError, SPECIFIC_CODES } from '../../errors/index.ts';
import type { BlockStart, ContentBlock, StopReason, StreamPart, Usage } from '../../wire/canonical/index.ts';
import { estimateTextTokens } from '../estimate-tokens.ts';
import { alignContinuation, type ContinuationMode, chooseAnchor } from './align-continuation.ts';
import { addUsage } from './sum-usage.ts';

/** How a continuation piece was asked for. */
export type PieceOptions = ContinuationMode;

export interface StitcherOptions {
  /** Called once, as the answer's first content is forwarded. */
  onCommit?: () => void;
  /** Hold each tool call until it is whole (default true). */
  atomicToolCalls?: boolean;
}

export interface Stitcher {
  beginPiece(options?: PieceOptions): void;
  push(part: StreamPart): void;
  abandonPiece(): void;
  interruptPiece(): void;
  finish(): void;
  salvage(): void;
  partialContent(): ContentBlock[] | undefined;
  readonly committed: boolean;
  readonly pieceForwarded: boolean;
  readonly ended: boolean;
  readonly totalOutputTokens: number;
  readonly wastedOutputTokens: number;
}

export const CONTINUATION_UNALIGNED = SPECIFIC_CODES.CONTINUATION_UNALIGNED;

/** Where the parts of one upstream block go. */
type Route =
  | { kind: 'out'; out: number }
  | { kind: 'drop' }
  | { kind: 'tool'; start: Extract<BlockStart, { type: 'tool_use' }>; json: string }
  | { kind: 'head' };

export function createStitcher(emit: (part: StreamPart) => void, options: StitcherOptions = {}): Stitcher {
  const atomic = options.atomicToolCalls ?? true;
  let committed = false;
  /** The first piece's parts, held until its first content. */
  let gate: StreamPart[] = [];
  let startSent = false;
  let nextIndex = 0;
  let routes = new Map<number, Route>();
  /** The block the caller has open. */
  let open: { out: number; type: string } | undefined;
  /** Text of each text block the caller has, by output index. */
  const texts = new Map<number, string>();
  let lastText: number | undefined;
  let continuable = true;
  let ended = false;
  let totals: Usage = { inputTokens: 0, outputTokens: 0 };
  let wasted = 0;
  // The current piece.
  let inPiece = false;
  let continuation: PieceOptions | undefined;
  let piece: Partial<Usage> = {};
  let pieceChars = 0;
  let pieceForwarded = false;
  let stopReason: StopReason | undefined;
  let stopSequence: string | null | undefined;
  /** A stop reason an earlier piece reported before it broke off. */
  let earlierStopReason: StopReason | undefined;
  /** The continuation's first text, until it is decided. */
  let head: { index: number; text: string } | undefined;
  let undecided = false;
  /** The continuation only repeated: the answer was already whole (unless it goes on with new blocks). */
  let nothingNew = false;
  let failed: OutlastError | undefined;

  const send = (part: StreamPart) => {
    if (!committed) {
      gate.push(part);
      return;
    }
    pieceForwarded = true;
    if (part.type === 'message_start') startSent = true;
    emit(part);
  };

  const commit = () => {
    if (committed) return;
    committed = true;
    const held = gate;
    gate = [];
    for (const part of held) send(part);
    options.onCommit?.();
  };

  const closeOpen = () => {
    if (open) send({ type: 'block_stop', index: open.out });
    open = undefined;
  };

  const startBlock = (block: BlockStart): number => {
    closeOpen();
    const out = nextIndex++;
    open = { out, type: block.type };
    if (block.type === 'text') {
      texts.set(out, '');
      lastText = out;
    }
    send({ type: 'block_start', index: out, block });
    return out;
  };

  const sendText = (out: number, text: string) => {
    if (text === '') return;
    texts.set(out, (texts.get(out) ?? '') + text);
    send({ type: 'block_delta', index: out, delta: { type: 'text', text } });
    commit();
  };

  const flushTool = (route: Extract<Route, { kind: 'tool' }>): number => {
    const out = startBlock(route.start);
    if (route.json !== '')
      send({ type: 'block_delta', index: out, delta: { type: 'tool_input', partialJson: route.json } });
    send({ type: 'block_stop', index: out });
    open = undefined;
    continuable = false;
    commit();
    return out;
  };

  const answerText = () => (lastText === undefined ? '' : (texts.get(lastText) ?? ''));

  /** Asks the aligner about the held head and acts on the verdict. */
  const decide = (ended: boolean) => {
    if (!undecided || !continuation) return;
    const text = head?.text ?? '';
    if (!head && !ended) return;
    const answer = answerText();
    const verdict = alignContinuation({ answer, head: text, mode: continuation, ended });
    switch (verdict.kind) {
      case 'need_more':
        return;
      case 'aligned': {
        undecided = false;
        wasted += estimateTextTokens(text.slice(0, verdict.drop));
        // The continued text goes on in the caller's open text block, or a new one.
        const out = open?.type === 'text' ? open.out : startBlock({ type: 'text' });
        if (head) routes.set(head.index, { kind: 'out', out });
        sendText(out, verdict.join + text.slice(verdict.drop));
        return;
      }
      case 'complete':
        undecided = false;
        nothingNew = true;
        wasted += estimateTextTokens(text);
        if (head) routes.set(head.index, { kind: 'drop' });
        return;
      case 'unaligned': {
        undecided = false;
        wasted += estimateTextTokens(text);
        if (head) routes.set(head.index, { kind: 'drop' });
        failed = new OutlastError({
          kind: 'invalid_response',
          code: CONTINUATION_UNALIGNED,
          retryable: true,
          message: `continuation could not be aligned with the ${answer.length} characters of answer already sent (${continuation.kind === 'prefill' ? 'assistant prefill' : 'continue turn'}, ${text.length} characters received): ${verdict.reason}`,
        });
        throw failed;
      }
    }
  };

  const closePiece = (interrupted: boolean) => {
    // message_start's output count is a placeholder (1): a cut piece counts at least what it sent.
    const output = interrupted
      ? Math.max(piece.outputTokens ?? 0, Math.ceil(pieceChars / 4))
      : (piece.outputTokens ?? 0);
    totals = addUsage(totals, { ...piece, outputTokens: output });
    piece = {};
    pieceChars = 0;
    inPiece = false;
  };

  /** Drops what the piece holds: an undecided head, tool calls not yet whole. */
  const dropHeld = () => {
    if (undecided && head) wasted += estimateTextTokens(head.text);
    for (const route of routes.values()) if (route.kind === 'tool') wasted += estimateTextTokens(route.json);
    head = undefined;
    undecided = false;
    routes = new Map();
  };

  const end = (truncated: boolean) => {
    if (ended) return;
    if (!startSent) {
      commit();
      if (!startSent) send({ type: 'message_start', id: '', model: '' });
    }
    closeOpen();
    ended = true;
    if (inPiece) closePiece(truncated);
    const reason = nothingNew ? (earlierStopReason ?? 'end_turn') : (stopReason ?? 'end_turn');
    emit({
      type: 'message_delta',
      stopReason: truncated ? 'max_tokens' : reason,
      ...(stopSequence === undefined || truncated || nothingNew ? {} : { stopSequence }),
      usage: totals,
    });
    emit(truncated ? { type: 'message_stop', truncated: true } : { type: 'message_stop' });
  };

  const resetFirstPiece = () => {
    gate = [];
    routes = new Map();
    nextIndex = 0;
    open = undefined;
    texts.clear();
    lastText = undefined;
    continuable = true;
    piece = {};
    pieceChars = 0;
    inPiece = false;
    stopReason = undefined;
    stopSequence = undefined;
  };

  /** A new block of the current piece. */
  const blockStart = (index: number, block: BlockStart) => {
    if (continuation && undecided) {
      if (head) {
        // A new block ends the head: decide with what it sent.
        decide(true);
      } else if (block.type === 'text') {
        head = { index, text: '' };
        routes.set(index, { kind: 'head' });
        return;
      } else if (block.type === 'thinking' || block.type === 'redacted_thinking') {
        routes.set(index, { kind: 'drop' });
        return;
      } else {
        // A tool call before any text: nothing to align, the answer goes on with it (the
        // caller's open text block is closed when the call is sent, not before).
        undecided = false;
      }
    }
    if (nothingNew) nothingNew = false;
    if (block.type === 'tool_use' && atomic) {
      routes.set(index, { kind: 'tool', start: block, json: '' });
      return;
    }
    const out = startBlock(block);
    routes.set(index, { kind: 'out', out });
    if (block.type === 'tool_use') {
      continuable = false;
      commit();
    }
    if (block.type === 'redacted_thinking') commit();
  };

  const leavePiece = () => {
    if (!committed) {
      resetFirstPiece();
      return;
    }
    dropHeld();
    if (inPiece) closePiece(true);
  };

  return {
    get committed() {
      return committed;
    },
    get pieceForwarded() {
      return pieceForwarded;
    },
    get ended() {
      return ended;
    },
    get totalOutputTokens() {
      return totals.outputTokens + (piece.outputTokens ?? 0);
    },
    get wastedOutputTokens() {
      return wasted;
    },
    beginPiece(mode) {
      if (inPiece) closePiece(true);
      inPiece = true;
      routes = new Map();
      pieceForwarded = false;
      piece = {};
      pieceChars = 0;
      if (stopReason) earlierStopReason = stopReason;
      stopReason = undefined;
      stopSequence = undefined;
      head = undefined;
      failed = undefined;
      nothingNew = false;
      continuation = committed
        ? (mode ?? { kind: 'continue', anchor: chooseAnchor(answerText()) })
        : undefined;
      undecided = continuation !== undefined;
    },
    push(part) {
      if (ended) return;
      if (failed) throw failed;
      switch (part.type) {
        case 'message_start':
          if (part.usage) piece = { ...piece, ...part.usage };
          if (!continuation && !startSent) send(part);
          return;
        case 'block_start':
          blockStart(part.index, part.block);
          return;
        case 'block_delta': {
          const route = routes.get(part.index);
          if (!route) return;
          const d = part.delta;
          const chars =
            d.type === 'text'
              ? d.text.length
              : d.type === 'thinking'
                ? d.thinking.length
                : d.type === 'tool_input'
                  ? d.partialJson.length
                  : 0;
          pieceChars += chars;
          switch (route.kind) {
            case 'drop':
              wasted += estimateTextTokens(
                d.type === 'text' ? d.text : d.type === 'thinking' ? d.thinking : '',
              );
              return;
            case 'tool':
              if (d.type === 'tool_input') route.json += d.partialJson;
              return;
            case 'head':
              if (d.type !== 'text' || !head) return;
              head.text += d.text;
              decide(false);
              return;
            case 'out':
              if (d.type === 'text') {
                sendText(route.out, d.text);
                return;
              }
              send({ ...part, index: route.out });
              if (chars > 0) commit();
              return;
          }
          return;
        }
        case 'block_stop': {
          const route = routes.get(part.index);
          if (!route) return;
          if (route.kind === 'head') {
            decide(true);
            const after = routes.get(part.index);
            // Only repeats: the caller's block ends here, as the answer does.
            if (after?.kind === 'drop') closeOpen();
            else if (after?.kind === 'out' && open?.out === after.out) closeOpen();
            return;
          }
          if (route.kind === 'tool') {
            routes.set(part.index, { kind: 'out', out: flushTool(route) });
            return;
          }
          if (route.kind === 'out' && open?.out === route.out) closeOpen();
          return;
        }
        case 'message_delta':
          if (part.stopReason) stopReason = part.stopReason;
          if (part.stopSequence !== undefined) stopSequence = part.stopSequence;
          if (part.usage) piece = { ...piece, ...part.usage };
          return;
        case 'message_stop':
          decide(true);
          end(false);
          return;
        case 'error':
          return;
      }
    },
    // The same for the stitcher either way: what the piece held is dropped, what it sent stays
    // (the caller's open text block included) and its usage is kept; before the commit it leaves
    // no trace. The engine says which it meant, for its own accounting.
    abandonPiece: leavePiece,
    interruptPiece: leavePiece,
    finish() {
      if (ended) return;
      if (failed) throw failed;
      decide(true);
      end(false);
    },
    salvage() {
      if (ended) return;
      dropHeld();
      end(true);
    },
    partialContent() {
      if (!continuable || (open && open.type !== 'text')) return undefined;
      // Providers refuse empty text blocks in a prompt.
      const blocks: ContentBlock[] = [...texts.entries()]
        .sort(([a], [b]) => a - b)
        .filter(([, text]) => text !== '')
        .map(([, text]) => ({ type: 'text', text }));
      return blocks.length > 0 ? blocks : undefined;
    },
  };
}
