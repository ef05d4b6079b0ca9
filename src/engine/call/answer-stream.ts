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
import { createStitcher, type Stitcher } from '../recovery/stitcher.ts';

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
  /** The first content is about to reach the caller: from now on the answer can only be continued. */
  commit(info: CommitInfo): void;
  /** Ends the caller's stream: with the error, or normally. */
  end(error?: OutlastError): void;
  [Symbol.asyncIterator](): AsyncIterator<StreamPart>;
  pull(): StreamPart | undefined;
  /** The whole answer, once the call has ended (nobody needs the parts queued one promise at a time). */
  assembled(): CanonicalResponse;
  /** Drops the queued parts when nobody iterates them (the assembler keeps the answer). */
  discardUnread(): void;
}

export function createAnswerStream(onReaderGone: (reason: OutlastError) => void): AnswerStream {
  const assembler = createAssembler();
  const channel = createChannel<StreamPart>(() =>
    onReaderGone(new OutlastError({ kind: 'cancelled', message: 'the caller stopped reading the answer' })),
  );
  const stitcher = createStitcher((part) => {
    assembler.push(part);
    channel.push(part);
  });
  let resolveCommitted!: (info: CommitInfo) => void;
  let rejectCommitted!: (error: unknown) => void;
  const committed = new Promise<CommitInfo>((resolve, reject) => {
    resolveCommitted = resolve;
    rejectCommitted = reject;
  });
  committed.catch(() => {});
  let isCommitted = false;

  return {
    stitcher,
    committed,
    get isCommitted() {
      return isCommitted;
    },
    commit(info) {
      isCommitted = true;
      stitcher.beginPiece();
      resolveCommitted(info);
    },
    end(error) {
      if (!error) {
        channel.close();
        return;
      }
      if (!isCommitted) rejectCommitted(error);
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
