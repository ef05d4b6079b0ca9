/**
 * The caller's side of a call, kept stable while attempts come and go underneath (as undici's
 * retry handler keeps the consumer's stream while it swaps connections): the channel the
 * caller reads, the assembler that builds the whole answer, the stitcher that joins pieces,
 * and the commit point, after which a failure can no longer be hidden by starting over.
 */
import { OutlastError } from '../../errors/index.ts';
import type { CanonicalResponse, StreamPart } from '../../wire/canonical/index.ts';
import { createAssembler } from '../assemble.ts';
import { createChannel } from '../channel.ts';
import { createStitcher, type PieceOptions, type Stitcher } from '../recovery/stitcher.ts';

export interface CommitInfo {
  provider: string;
  model: string;
  attempts: number;
}

export interface AnswerStream {
  readonly stitcher: Stitcher;
  /** Settles at the commit point: the target answering, or the final error if the call fails before any content. */
  readonly committed: Promise<CommitInfo>;
  readonly isCommitted: boolean;
  /**
   * An attempt's answer begins: its parts go to the stitcher from now on. Before the commit
   * point this is the first piece (the stitcher holds it until its first content, then the
   * commit settles with `info`); after it, a continuation asked for as `piece` says.
   */
  beginPiece(info: CommitInfo, piece?: PieceOptions): void;
  /** Ends the caller's stream: with the error, or normally. */
  end(error?: OutlastError): void;
  [Symbol.asyncIterator](): AsyncIterator<StreamPart>;
  pull(): StreamPart | undefined;
  /** The whole answer, once the call has ended (nobody needs the parts queued one promise at a time). */
  assembled(): CanonicalResponse;
  /** Drops the queued parts when nobody iterates them (the assembler keeps the answer). */
  discardUnread(): void;
}

export function createAnswerStream(
  onReaderGone: (reason: OutlastError) => void,
  options: { atomicToolCalls: boolean },
): AnswerStream {
  const assembler = createAssembler();
  const channel = createChannel<StreamPart>(() =>
    onReaderGone(new OutlastError({ kind: 'cancelled', message: 'the caller stopped reading the answer' })),
  );
  let resolveCommitted!: (info: CommitInfo) => void;
  let rejectCommitted!: (error: unknown) => void;
  const committed = new Promise<CommitInfo>((resolve, reject) => {
    resolveCommitted = resolve;
    rejectCommitted = reject;
  });
  committed.catch(() => {});
  let current: CommitInfo | undefined;
  const stitcher = createStitcher(
    (part) => {
      assembler.push(part);
      channel.push(part);
    },
    {
      atomicToolCalls: options.atomicToolCalls,
      onCommit: () => {
        if (current) resolveCommitted(current);
      },
    },
  );

  return {
    stitcher,
    committed,
    get isCommitted() {
      return stitcher.committed;
    },
    beginPiece(info, piece) {
      current = info;
      stitcher.beginPiece(piece);
    },
    end(error) {
      if (!error) {
        channel.close();
        return;
      }
      if (!stitcher.committed) rejectCommitted(error);
      channel.fail(error);
    },
    [Symbol.asyncIterator]: () => channel[Symbol.asyncIterator](),
    pull: () => channel.pull(),
    assembled: () => assembler.result(),
    discardUnread() {
      if (!channel.taken) channel.discard();
    },
  };
}
