/**
 * The blocks of the answer as the caller has them, across pieces: output indices handed out in
 * order, the one block open, the text of each text block (to align a continuation with and to
 * continue from), and whether the answer can still be continued from its text at all.
 * Everything goes out through the commit gate; forwarded text is content, so it commits.
 */
import type { BlockStart, ContentBlock, StreamPart } from '../../wire/canonical/index.ts';
import type { CommitGate } from './commit-gate.ts';

export interface OpenBlock {
  out: number;
  type: BlockStart['type'];
}

export interface CallerAnswer {
  /** The block the caller has open. */
  readonly open: OpenBlock | undefined;
  /** Ends the caller's open block, if any. */
  closeOpen(): void;
  /** Opens a new block for the caller (ending the open one) and returns its output index. */
  startBlock(block: BlockStart): number;
  /** Forwards text into the caller's text block `out`; non-empty text commits. */
  /** `part`: the upstream's delta when it is already this one (`out`, `text`), sent as it is. */
  sendText(out: number, text: string, part?: StreamPart): void;
  /** A tool call reached the caller: the answer can no longer be continued from its text. */
  stopContinuing(): void;
  /** The text of the caller's last text block ('' when none): what a continuation must align with. */
  lastText(): string;
  /** The answer so far as assistant content to continue from, or undefined when it cannot be. */
  partialContent(): ContentBlock[] | undefined;
  /** The first piece left before the commit: the caller has nothing. */
  reset(): void;
}

export function createCallerAnswer(gate: CommitGate): CallerAnswer {
  let nextIndex = 0;
  let open: OpenBlock | undefined;
  /** Text of each text block the caller has, by output index. */
  const texts = new Map<number, string>();
  let lastText: number | undefined;
  let continuable = true;

  const closeOpen = () => {
    if (open) gate.send({ type: 'block_stop', index: open.out });
    open = undefined;
  };

  return {
    get open() {
      return open;
    },
    closeOpen,
    startBlock(block) {
      closeOpen();
      const out = nextIndex++;
      open = { out, type: block.type };
      if (block.type === 'text') {
        texts.set(out, '');
        lastText = out;
      }
      gate.send({ type: 'block_start', index: out, block });
      return out;
    },
    sendText(out, text, part) {
      if (text === '') return;
      texts.set(out, (texts.get(out) ?? '') + text);
      gate.send(part ?? { type: 'block_delta', index: out, delta: { type: 'text', text } });
      gate.commit();
    },
    stopContinuing() {
      continuable = false;
    },
    lastText() {
      return lastText === undefined ? '' : (texts.get(lastText) ?? '');
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
    reset() {
      nextIndex = 0;
      open = undefined;
      texts.clear();
      lastText = undefined;
      continuable = true;
    },
  };
}
