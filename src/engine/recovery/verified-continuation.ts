/**
 * Verified continuation: a continuation's head (its first text) is held until
 * `alignContinuation` decides. Aligned → the rest is forwarded into the block the caller has
 * open; complete → nothing new, the answer ends with what the caller has (unless the piece goes
 * on with new blocks); unaligned → an OutlastError (kind `invalid_response`, code
 * `OUTLAST_CONTINUATION_UNALIGNED`, retryable), and nothing of the piece has reached the caller.
 * Thinking a continuation sends before its text is dropped (the caller's answer has its thinking).
 */
import { OutlastError, SPECIFIC_CODES } from '../../errors/index.ts';
import type { BlockStart } from '../../wire/canonical/index.ts';
import { alignContinuation, type ContinuationMode } from './align-continuation.ts';
import type { CallerAnswer } from './caller-answer.ts';
import type { PieceRoutes } from './piece-routes.ts';

export const CONTINUATION_UNALIGNED = SPECIFIC_CODES.CONTINUATION_UNALIGNED;

export interface VerifiedContinuation {
  /** A piece begins: a continuation asked for as `mode`, or the first piece (undefined). */
  beginPiece(mode: ContinuationMode | undefined): void;
  /** The piece is a continuation. */
  readonly active: boolean;
  /**
   * A block of the piece starts. True when the continuation took it (its head, or thinking
   * before the head, dropped); false when it goes on as any block would (the head, if any, is
   * decided first, and may throw).
   */
  takeBlock(index: number, block: BlockStart): boolean;
  /** Text of the held head; decides as soon as the aligner can (may throw). */
  headText(text: string): void;
  /** Decides the head, if still undecided; `ended`: the head has all it will get (may throw). */
  decide(ended: boolean): void;
  /** The piece goes on with new blocks: it was not only a repeat. */
  goesOn(): void;
  /** The piece only repeated: the answer was already whole. */
  readonly nothingNew: boolean;
  /** The unaligned error, once decided so (thrown again on every later part). */
  readonly failed: OutlastError | undefined;
  /** The piece ends without its head decided: the head is dropped (and counted as wasted). */
  dropHead(): void;
}

export function createVerifiedContinuation(
  answer: CallerAnswer,
  routes: PieceRoutes,
  waste: (text: string) => void,
): VerifiedContinuation {
  let mode: ContinuationMode | undefined;
  /** The continuation's first text, until it is decided. */
  let head: { index: number; text: string } | undefined;
  let undecided = false;
  let nothingNew = false;
  let failed: OutlastError | undefined;

  const decide = (ended: boolean) => {
    if (!undecided || !mode) return;
    const text = head?.text ?? '';
    if (!head && !ended) return;
    const sent = answer.lastText();
    const verdict = alignContinuation({ answer: sent, head: text, mode, ended });
    switch (verdict.kind) {
      case 'need_more':
        return;
      case 'aligned': {
        undecided = false;
        waste(text.slice(0, verdict.drop));
        // The continued text goes on in the caller's open text block, or a new one.
        const out = answer.open?.type === 'text' ? answer.open.out : answer.startBlock({ type: 'text' });
        if (head) routes.set(head.index, { kind: 'out', out });
        answer.sendText(out, verdict.join + text.slice(verdict.drop));
        return;
      }
      case 'complete':
        undecided = false;
        nothingNew = true;
        waste(text);
        if (head) routes.set(head.index, { kind: 'drop' });
        return;
      case 'unaligned': {
        undecided = false;
        waste(text);
        if (head) routes.set(head.index, { kind: 'drop' });
        failed = new OutlastError({
          kind: 'invalid_response',
          code: CONTINUATION_UNALIGNED,
          retryable: true,
          message: `continuation could not be aligned with the ${sent.length} characters of answer already sent (${mode.kind === 'prefill' ? 'assistant prefill' : 'continue turn'}, ${text.length} characters received): ${verdict.reason}`,
        });
        throw failed;
      }
    }
  };

  return {
    beginPiece(next) {
      mode = next;
      head = undefined;
      failed = undefined;
      nothingNew = false;
      undecided = mode !== undefined;
    },
    get active() {
      return mode !== undefined;
    },
    takeBlock(index, block) {
      if (!mode || !undecided) return false;
      if (head) {
        // A new block ends the head: decide with what it sent.
        decide(true);
        return false;
      }
      if (block.type === 'text') {
        head = { index, text: '' };
        routes.set(index, { kind: 'head' });
        return true;
      }
      if (block.type === 'thinking' || block.type === 'redacted_thinking') {
        routes.set(index, { kind: 'drop' });
        return true;
      }
      // A tool call before any text: nothing to align, the answer goes on with it (the
      // caller's open text block is closed when the call is sent, not before).
      undecided = false;
      return false;
    },
    headText(text) {
      if (!head) return;
      head.text += text;
      decide(false);
    },
    decide,
    goesOn() {
      nothingNew = false;
    },
    get nothingNew() {
      return nothingNew;
    },
    get failed() {
      return failed;
    },
    dropHead() {
      if (undecided && head) waste(head.text);
      head = undefined;
      undecided = false;
    },
  };
}
