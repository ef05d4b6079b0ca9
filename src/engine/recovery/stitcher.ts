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
 *   undefined when it cannot be continued: nothing yet, an open thinking block, a forwarded
 *   tool call, or an upstream's events relayed verbatim).
 * - `committed` (the first content was forwarded; `onCommit` fired then), `pieceForwarded`
 *   (the current piece forwarded something), `ended`, `totalOutputTokens`,
 *   `wastedOutputTokens`.
 *
 * Its concerns, one file each: the commit gate (`commit-gate.ts`: the first piece's message_start
 * and empty blocks held until its first content is forwarded); the caller's blocks across
 * pieces (`caller-answer.ts`); verified continuation (`verified-continuation.ts`: a
 * continuation's head held until `alignContinuation` decides: aligned, complete or unaligned);
 * atomic tool calls (`atomic-tool-calls.ts`, default on; `atomicToolCalls: false` streams the
 * arguments as they come, and a cut inside a call then ends the answer); the usage summed over
 * the pieces, with what was dropped counted as wasted (`piece-usage.ts`). This file routes
 * each part of a piece among them and ends the answer.
 */
import {
  type BlockStart,
  type ContentBlock,
  deltaChars,
  type PassthroughPart,
  type StopReason,
  type StreamPart,
} from '../../wire/canonical/index.ts';
import { type ContinuationMode, chooseAnchor } from './align-continuation.ts';
import { heldToolJson, holdToolCall, sendHeldToolCall } from './atomic-tool-calls.ts';
import { createCallerAnswer } from './caller-answer.ts';
import { createCommitGate } from './commit-gate.ts';
import type { PieceRoutes } from './piece-routes.ts';
import { createPieceUsage } from './piece-usage.ts';
import { createVerifiedContinuation } from './verified-continuation.ts';

export { CONTINUATION_UNALIGNED } from './verified-continuation.ts';

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

export function createStitcher(emit: (part: StreamPart) => void, options: StitcherOptions = {}): Stitcher {
  const atomic = options.atomicToolCalls ?? true;
  const gate = createCommitGate(emit, options.onCommit);
  const answer = createCallerAnswer(gate);
  const usage = createPieceUsage();
  /** The current piece's blocks. */
  const routes: PieceRoutes = new Map();
  const continuation = createVerifiedContinuation(answer, routes, usage.waste);
  let ended = false;
  let stopReason: StopReason | undefined;
  let stopSequence: string | null | undefined;
  /** A stop reason an earlier piece reported before it broke off. */
  let earlierStopReason: StopReason | undefined;

  /** Drops what the piece holds: an undecided head, tool calls not yet whole. */
  const dropHeld = () => {
    continuation.dropHead();
    for (const json of heldToolJson(routes)) usage.waste(json);
    routes.clear();
  };

  const end = (truncated: boolean) => {
    if (ended) return;
    if (!gate.startSent) {
      gate.commit();
      if (!gate.startSent) gate.send({ type: 'message_start', id: '', model: '' });
    }
    answer.closeOpen();
    ended = true;
    usage.closePiece(truncated);
    const nothingNew = continuation.nothingNew;
    const reason = nothingNew ? (earlierStopReason ?? 'end_turn') : (stopReason ?? 'end_turn');
    emit({
      type: 'message_delta',
      stopReason: truncated ? 'max_tokens' : reason,
      ...(stopSequence === undefined || truncated || nothingNew ? {} : { stopSequence }),
      usage: usage.totals,
    });
    emit(truncated ? { type: 'message_stop', truncated: true } : { type: 'message_stop' });
  };

  const resetFirstPiece = () => {
    gate.dropHeld();
    routes.clear();
    answer.reset();
    usage.discardPiece();
    stopReason = undefined;
    stopSequence = undefined;
  };

  /** A new block of the current piece. */
  const blockStart = (index: number, block: BlockStart) => {
    if (continuation.takeBlock(index, block)) return;
    continuation.goesOn();
    if (block.type === 'tool_use' && atomic) {
      routes.set(index, holdToolCall(block));
      return;
    }
    const out = answer.startBlock(block);
    routes.set(index, { kind: 'out', out });
    if (block.type === 'tool_use') {
      answer.stopContinuing();
      gate.commit();
    }
    if (block.type === 'redacted_thinking') gate.commit();
  };

  const blockDelta = (part: Extract<StreamPart, { type: 'block_delta' }>) => {
    const route = routes.get(part.index);
    if (!route) return;
    const d = part.delta;
    const chars = deltaChars(d);
    usage.countChars(chars);
    switch (route.kind) {
      case 'drop':
        usage.waste(d.type === 'text' ? d.text : d.type === 'thinking' ? d.thinking : '');
        return;
      case 'tool':
        if (d.type === 'tool_input') route.json += d.partialJson;
        return;
      case 'head':
        if (d.type === 'text') continuation.headText(d.text);
        return;
      case 'out':
        if (d.type === 'text') {
          // The part itself when its index is the caller's already: one object less per token.
          answer.sendText(route.out, d.text, route.out === part.index ? part : undefined);
          return;
        }
        gate.send({ ...part, index: route.out });
        if (chars > 0) gate.commit();
        return;
    }
  };

  /**
   * An event outlast does not model: never content, so it neither commits nor counts as text.
   * One naming a block goes where that block goes (into the caller's block, renumbered) and
   * nowhere else (a held head, a dropped or held block); one without a block is the first
   * piece's (held with the gate before the commit), a continuation's being about its own message.
   */
  const passthrough = (part: PassthroughPart) => {
    if (part.index === undefined) {
      if (!continuation.active) gate.send(part);
      return;
    }
    const route = routes.get(part.index);
    if (route?.kind !== 'out') return;
    gate.send(route.out === part.index ? part : { ...part, index: route.out });
  };

  const blockStop = (index: number) => {
    const route = routes.get(index);
    if (!route) return;
    const open = () => answer.open?.out;
    if (route.kind === 'head') {
      continuation.decide(true);
      const after = routes.get(index);
      // Only repeats: the caller's block ends here, as the answer does.
      if (after?.kind === 'drop') answer.closeOpen();
      else if (after?.kind === 'out' && open() === after.out) answer.closeOpen();
      return;
    }
    if (route.kind === 'tool') {
      routes.set(index, { kind: 'out', out: sendHeldToolCall(route, answer, gate) });
      return;
    }
    if (route.kind === 'out' && open() === route.out) answer.closeOpen();
  };

  // The same for the stitcher whether the piece was abandoned or interrupted: what the piece
  // held is dropped, what it sent stays (the caller's open text block included) and its usage
  // is kept; before the commit it leaves no trace. The engine says which it meant, for its own
  // accounting.
  const leavePiece = () => {
    if (!gate.committed) {
      resetFirstPiece();
      return;
    }
    dropHeld();
    usage.closePiece(true);
  };

  return {
    get committed() {
      return gate.committed;
    },
    get pieceForwarded() {
      return gate.pieceForwarded;
    },
    get ended() {
      return ended;
    },
    get totalOutputTokens() {
      return usage.totalOutputTokens;
    },
    get wastedOutputTokens() {
      return usage.wastedOutputTokens;
    },
    beginPiece(mode) {
      usage.beginPiece();
      routes.clear();
      gate.beginPiece();
      if (stopReason) earlierStopReason = stopReason;
      stopReason = undefined;
      stopSequence = undefined;
      continuation.beginPiece(
        gate.committed ? (mode ?? { kind: 'continue', anchor: chooseAnchor(answer.lastText()) }) : undefined,
      );
    },
    push(part) {
      if (ended) return;
      if (continuation.failed) throw continuation.failed;
      switch (part.type) {
        case 'message_start':
          if (part.usage) usage.report(part.usage);
          if (!continuation.active && !gate.startSent) gate.send(part);
          return;
        case 'block_start':
          blockStart(part.index, part.block);
          return;
        case 'block_delta':
          blockDelta(part);
          return;
        case 'block_stop':
          blockStop(part.index);
          return;
        case 'message_delta':
          if (part.stopReason) stopReason = part.stopReason;
          if (part.stopSequence !== undefined) stopSequence = part.stopSequence;
          if (part.usage) usage.report(part.usage);
          return;
        case 'message_stop':
          continuation.decide(true);
          end(false);
          return;
        case 'passthrough':
          passthrough(part);
          return;
        case 'error':
          return;
        case 'verbatim':
          // An upstream's own event for a caller of its dialect, in order with the rest (held
          // before the commit like any part). Such an answer cannot be continued: a continuation
          // would be another response, under ids the caller never got.
          answer.stopContinuing();
          gate.send(part);
          return;
      }
    },
    abandonPiece: leavePiece,
    interruptPiece: leavePiece,
    finish() {
      if (ended) return;
      if (continuation.failed) throw continuation.failed;
      continuation.decide(true);
      end(false);
    },
    salvage() {
      if (ended) return;
      dropHeld();
      end(true);
    },
    partialContent: answer.partialContent,
  };
}
