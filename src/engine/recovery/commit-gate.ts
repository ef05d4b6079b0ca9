/**
 * The commit gate of a stitched answer: until the answer's first content (a text or thinking
 * delta, a whole tool call) is forwarded, the parts before it (message_start, empty blocks)
 * are held, so a first piece that fails before then leaves no trace and the engine may start
 * over invisibly. After the commit every part goes straight to the caller.
 */
import type { StreamPart } from '../../wire/canonical/index.ts';

export interface CommitGate {
  /** Holds the part before the commit; forwards it to the caller after. */
  send(part: StreamPart): void;
  /** Forwards what is held and opens the gate for good; `onCommit` fires the first time. */
  commit(): void;
  /** The first piece failed before the commit: what it held is dropped. */
  dropHeld(): void;
  /** A new piece begins: it has forwarded nothing yet. */
  beginPiece(): void;
  readonly committed: boolean;
  /** The caller has its message_start. */
  readonly startSent: boolean;
  /** The current piece forwarded something to the caller. */
  readonly pieceForwarded: boolean;
}

export function createCommitGate(emit: (part: StreamPart) => void, onCommit?: () => void): CommitGate {
  let committed = false;
  let held: StreamPart[] = [];
  let startSent = false;
  let pieceForwarded = false;

  const send = (part: StreamPart) => {
    if (!committed) {
      held.push(part);
      return;
    }
    pieceForwarded = true;
    if (part.type === 'message_start') startSent = true;
    emit(part);
  };

  return {
    send,
    commit() {
      if (committed) return;
      committed = true;
      const parts = held;
      held = [];
      for (const part of parts) send(part);
      onCommit?.();
    },
    dropHeld() {
      held = [];
    },
    beginPiece() {
      pieceForwarded = false;
    },
    get committed() {
      return committed;
    },
    get startSent() {
      return startSent;
    },
    get pieceForwarded() {
      return pieceForwarded;
    },
  };
}
