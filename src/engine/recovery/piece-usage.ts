/**
 * The usage of a stitched answer: the sum over its pieces (what was billed to produce it). A
 * piece cut before reporting its output tokens counts what it sent at ~4 characters a token;
 * text held and dropped (repeats, preambles, an unaligned head, a cut tool call) counts as
 * wasted.
 */
import type { Usage } from '../../wire/canonical/index.ts';
import { estimateTextTokens } from '../estimate-tokens.ts';
import { addUsage } from './sum-usage.ts';

export interface PieceUsage {
  /** A piece begins (one still open is closed as interrupted). */
  beginPiece(): void;
  /** Usage the current piece reported (message_start, message_delta). */
  report(usage: Partial<Usage>): void;
  /** Characters of content the current piece sent. */
  countChars(chars: number): void;
  /** Text that was produced and dropped. */
  waste(text: string): void;
  /** Adds the open piece's usage to the totals; `interrupted` when it was cut. */
  closePiece(interrupted: boolean): void;
  /** The first piece left before the commit: its usage is not the answer's. */
  discardPiece(): void;
  readonly totals: Usage;
  readonly totalOutputTokens: number;
  readonly wastedOutputTokens: number;
}

export function createPieceUsage(): PieceUsage {
  let totals: Usage = { inputTokens: 0, outputTokens: 0 };
  let wasted = 0;
  let inPiece = false;
  let piece: Partial<Usage> = {};
  let pieceChars = 0;

  const closePiece = (interrupted: boolean) => {
    if (!inPiece) return;
    // message_start's output count is a placeholder (1): a cut piece counts at least what it sent.
    const output = interrupted
      ? Math.max(piece.outputTokens ?? 0, Math.ceil(pieceChars / 4))
      : (piece.outputTokens ?? 0);
    totals = addUsage(totals, { ...piece, outputTokens: output });
    piece = {};
    pieceChars = 0;
    inPiece = false;
  };

  return {
    beginPiece() {
      closePiece(true);
      inPiece = true;
      piece = {};
      pieceChars = 0;
    },
    report(usage) {
      piece = { ...piece, ...usage };
    },
    countChars(chars) {
      pieceChars += chars;
    },
    waste(text) {
      wasted += estimateTextTokens(text);
    },
    closePiece,
    discardPiece() {
      piece = {};
      pieceChars = 0;
      inPiece = false;
    },
    get totals() {
      return totals;
    },
    get totalOutputTokens() {
      return totals.outputTokens + (piece.outputTokens ?? 0);
    },
    get wastedOutputTokens() {
      return wasted;
    },
  };
}
