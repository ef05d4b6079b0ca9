/**
 * Turns the parts of one or more upstream pieces (the first answer, then continuations after
 * interruptions) into one uninterrupted canonical stream: block indexes renumbered, the
 * continued text block kept open across the break, overlap dropped, usage summed.
 *
 * Usage of a stitched answer is the sum over its pieces (input and output alike), i.e. what
 * was billed to produce it; a piece cut before reporting its output tokens counts the text it
 * delivered at ~4 characters a token.
 */
import type { ContentBlock, StopReason, StreamPart, Usage } from '../../wire/canonical/index.ts';
import { estimateTextTokens } from '../estimate-tokens.ts';

export interface PieceOptions {
  /** Text the continuation may repeat first and that must be dropped: whitespace trimmed off a prefill. */
  dropPrefix?: string;
  /** Continue-without-prefill: drop the longest overlap between the answer's tail and the piece's head. */
  dropOverlap?: boolean;
}

export interface Stitcher {
  beginPiece(options?: PieceOptions): void;
  /** Maps and forwards one part of the current piece. */
  push(part: StreamPart): void;
  /** The current piece ended cut short: its usage is kept, its open block stays open. */
  interruptPiece(): void;
  /** Ends the answer normally if the last piece had no `message_stop`. */
  finish(): void;
  /** Ends the answer with what arrived, marked truncated. */
  salvage(): void;
  /** Whether the current piece forwarded anything the caller can see. */
  readonly pieceForwarded: boolean;
  readonly ended: boolean;
  /** The answer so far as assistant content for a continuation; undefined when it cannot be continued. */
  partialContent(): ContentBlock[] | undefined;
  readonly totalOutputTokens: number;
  readonly wastedOutputTokens: number;
}

/** Shortest overlap trusted as a repeat rather than a coincidence (a single shared letter is not one). */
const MIN_OVERLAP = 8;
/** How much of the answer's tail is compared with the continuation's head. */
const OVERLAP_WINDOW = 200;

function addUsage(a: Usage, b: Partial<Usage>): Usage {
  const sum = (x: number | undefined, y: number | undefined) =>
    x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0);
  const out: Usage = {
    inputTokens: a.inputTokens + (b.inputTokens ?? 0),
    outputTokens: a.outputTokens + (b.outputTokens ?? 0),
  };
  const cacheRead = sum(a.cacheReadTokens, b.cacheReadTokens);
  const cacheWrite = sum(a.cacheWriteTokens, b.cacheWriteTokens);
  const reasoning = sum(a.reasoningTokens, b.reasoningTokens);
  if (cacheRead !== undefined) out.cacheReadTokens = cacheRead;
  if (cacheWrite !== undefined) out.cacheWriteTokens = cacheWrite;
  if (reasoning !== undefined) out.reasoningTokens = reasoning;
  return out;
}

/** Largest k ≥ MIN_OVERLAP with `tail` ending in `head[0, k)`; 0 when none. */
export function overlapLength(tail: string, head: string): number {
  const max = Math.min(tail.length, head.length);
  for (let k = max; k >= Math.min(MIN_OVERLAP, tail.length); k--) {
    if (k > 0 && tail.endsWith(head.slice(0, k))) return k;
  }
  return 0;
}

export function createStitcher(emit: (part: StreamPart) => void): Stitcher {
  let pieces = 0;
  let nextIndex = 0;
  let map = new Map<number, number>();
  let open: { out: number; type: string } | undefined;
  const texts = new Map<number, string>();
  let continuable = true;
  let stopReason: StopReason | undefined;
  let stopSequence: string | null | undefined;
  let totals: Usage = { inputTokens: 0, outputTokens: 0 };
  let piece: Partial<Usage> = {};
  let pieceChars = 0;
  let pieceForwarded = false;
  let wasted = 0;
  let ended = false;
  let options: PieceOptions = {};
  // The first text of a continuation, held until it is long enough to find the overlap.
  let pending: { out: number; text: string } | undefined;
  let decided = true;

  const answerText = () =>
    [...texts.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, t]) => t)
      .join('');

  /** `part`, when given, is the upstream's own delta of exactly this text: sent as is when its index is already `out`. */
  const forwardText = (out: number, text: string, part?: StreamPart) => {
    if (text.length === 0) return;
    texts.set(out, (texts.get(out) ?? '') + text);
    pieceChars += text.length;
    pieceForwarded = true;
    if (part?.type === 'block_delta' && part.index === out) emit(part);
    else emit({ type: 'block_delta', index: out, delta: { type: 'text', text } });
  };

  const decide = () => {
    if (decided || !pending) {
      decided = true;
      return;
    }
    decided = true;
    let text = pending.text;
    const { dropPrefix, dropOverlap } = options;
    if (dropPrefix && text.startsWith(dropPrefix)) {
      text = text.slice(dropPrefix.length);
      wasted += estimateTextTokens(dropPrefix);
    } else if (dropOverlap) {
      const k = overlapLength(answerText().slice(-OVERLAP_WINDOW), text);
      wasted += estimateTextTokens(text.slice(0, k));
      text = text.slice(k);
    }
    const out = pending.out;
    pending = undefined;
    forwardText(out, text);
  };

  const closePiece = (interrupted: boolean) => {
    // message_start's output count is a placeholder (1): a cut piece counts at least what it delivered.
    const output = interrupted
      ? Math.max(piece.outputTokens ?? 0, Math.ceil(pieceChars / 4))
      : (piece.outputTokens ?? 0);
    totals = addUsage(totals, { ...piece, outputTokens: output });
    piece = {};
    pieceChars = 0;
  };

  const end = (truncated: boolean) => {
    if (ended) return;
    decide();
    if (truncated && open) emit({ type: 'block_stop', index: open.out });
    open = undefined;
    ended = true;
    closePiece(truncated);
    emit({
      type: 'message_delta',
      stopReason: truncated ? 'max_tokens' : (stopReason ?? 'end_turn'),
      ...(stopSequence === undefined || truncated ? {} : { stopSequence }),
      usage: totals,
    });
    emit(truncated ? { type: 'message_stop', truncated: true } : { type: 'message_stop' });
  };

  return {
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
    beginPiece(pieceOptions = {}) {
      pieces++;
      map = new Map();
      options = pieceOptions;
      pieceForwarded = false;
      piece = {};
      pieceChars = 0;
      stopReason = undefined;
      stopSequence = undefined;
      decided = pieces === 1;
      pending = undefined;
    },
    push(part) {
      if (ended) return;
      switch (part.type) {
        case 'message_start':
          if (part.usage) piece = { ...piece, ...part.usage };
          if (pieces === 1) {
            pieceForwarded = true;
            emit(part);
          }
          return;
        case 'block_start': {
          const continuing = pieces > 1 && map.size === 0 && !decided;
          if (continuing && part.block.type === 'text') {
            // The continuation's first text block carries on the block that broke, if it was text.
            const out = open?.type === 'text' ? open.out : nextIndex++;
            if (out !== open?.out) {
              if (open) emit({ type: 'block_stop', index: open.out });
              emit({ type: 'block_start', index: out, block: { type: 'text' } });
              pieceForwarded = true;
              open = { out, type: 'text' };
            }
            map.set(part.index, out);
            pending = { out, text: '' };
            return;
          }
          if (pieces > 1 && map.size === 0) decided = true;
          if (open && pieces > 1 && map.size === 0) {
            emit({ type: 'block_stop', index: open.out });
            open = undefined;
          }
          const out = nextIndex++;
          map.set(part.index, out);
          open = { out, type: part.block.type };
          // A finished thinking block does not stop a continuation (the rest needs no thinking); a tool call does.
          if (part.block.type === 'tool_use') continuable = false;
          pieceForwarded = true;
          emit({ ...part, index: out });
          return;
        }
        case 'block_delta': {
          const out = map.get(part.index);
          if (out === undefined) return;
          if (part.delta.type === 'text') {
            if (pending && pending.out === out && !decided) {
              pending.text += part.delta.text;
              const need = options.dropOverlap
                ? Math.min(answerText().length, OVERLAP_WINDOW)
                : (options.dropPrefix?.length ?? 0);
              if (pending.text.length >= Math.max(need, 1)) decide();
              return;
            }
            forwardText(out, part.delta.text, part);
            return;
          }
          pieceForwarded = true;
          emit({ ...part, index: out });
          return;
        }
        case 'block_stop': {
          const out = map.get(part.index);
          if (out === undefined) return;
          if (pending?.out === out) decide();
          if (open?.out === out) open = undefined;
          emit({ type: 'block_stop', index: out });
          return;
        }
        case 'message_delta':
          if (part.stopReason) stopReason = part.stopReason;
          if (part.stopSequence !== undefined) stopSequence = part.stopSequence;
          if (part.usage) piece = { ...piece, ...part.usage };
          return;
        case 'message_stop':
          end(false);
          return;
        case 'error':
          return;
      }
    },
    interruptPiece() {
      // Held overlap text is dropped with the piece: the next piece starts from what was forwarded.
      if (!pieceForwarded || pending) wasted += estimateTextTokens(pending?.text ?? '');
      pending = undefined;
      decided = true;
      closePiece(true);
    },
    finish() {
      end(false);
    },
    salvage() {
      end(true);
    },
    partialContent() {
      if (!continuable || (open && open.type !== 'text')) return undefined;
      const blocks: ContentBlock[] = [...texts.entries()]
        .sort(([a], [b]) => a - b)
        .map(([, text]) => ({ type: 'text', text }));
      return blocks.length > 0 ? blocks : undefined;
    },
  };
}
