/** Where the parts of each block of the current piece go, by the piece's own block index. */
import type { BlockStart } from '../../wire/canonical/index.ts';

/** A tool call held until its block_stop (atomic tool calls). */
export interface HeldToolCall {
  kind: 'tool';
  start: Extract<BlockStart, { type: 'tool_use' }>;
  json: string;
}

export type Route =
  /** Forwarded into the caller's block `out`. */
  | { kind: 'out'; out: number }
  /** Dropped (counted as wasted when it is text). */
  | { kind: 'drop' }
  | HeldToolCall
  /** A continuation's first text, held until it is aligned. */
  | { kind: 'head' };

export type PieceRoutes = Map<number, Route>;
