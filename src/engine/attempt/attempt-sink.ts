/**
 * Where one attempt's parts go. Most attempts write straight into the call's answer (its
 * stitcher and commit gate). A hedged attempt races another: its parts are held here, fed
 * through a probe stitcher of its own to find its commit point, and only the attempt that
 * passes it first claims the call's answer (its held parts are replayed into it, the rest
 * streams through). The other never writes a part to the caller.
 */
import { OutlastError, SPECIFIC_CODES } from '../../errors/index.ts';
import { isContentPart, type StreamPart } from '../../wire/canonical/index.ts';
import type { AnswerStream, CommitInfo } from '../call/answer-stream.ts';
import { estimateTextTokens } from '../estimate-tokens.ts';
import { createStitcher, type PieceOptions } from '../recovery/stitcher.ts';

export interface AttemptSink {
  begin(info: CommitInfo, piece?: PieceOptions): void;
  push(part: StreamPart): void;
  finish(): void;
  /** Nothing of the piece was forwarded: as if it never began (before the commit). */
  abandon(): void;
  /** The piece broke after forwarding: the caller keeps what it has. */
  interrupt(): void;
  /** The answer has nothing more to read. */
  readonly ended: boolean;
  /** This attempt's piece forwarded something to the caller. */
  readonly forwarded: boolean;
  /** The call's answer passed its commit point through this attempt's piece or an earlier one. */
  readonly committed: boolean;
  /** Output tokens held here that never reached the caller (an estimate from their text). */
  readonly unsentTokens: number;
}

/** Straight into the call's answer. */
export function answerSink(answer: AnswerStream): AttemptSink {
  const { stitcher } = answer;
  return {
    begin: (info, piece) => answer.beginPiece(info, piece),
    push: (part) => stitcher.push(part),
    finish: () => stitcher.finish(),
    abandon: () => stitcher.abandonPiece(),
    interrupt: () => stitcher.interruptPiece(),
    get ended() {
      return stitcher.ended;
    },
    get forwarded() {
      return stitcher.pieceForwarded;
    },
    get committed() {
      return stitcher.committed;
    },
    unsentTokens: 0,
  };
}

/** The race two hedged attempts run for one answer. */
export interface HedgeRace {
  /** Which attempt (0 the primary, 1 the hedge) claimed the answer, if one has. */
  readonly winner: number | undefined;
}

export function createHedgeRace(): HedgeRace & { claim(index: number): boolean } {
  let winner: number | undefined;
  return {
    get winner() {
      return winner;
    },
    claim(index) {
      if (winner !== undefined) return winner === index;
      winner = index;
      return true;
    },
  };
}

export function hedgeLost(loser: number, winner: number): OutlastError {
  return new OutlastError({
    kind: 'cancelled',
    code: SPECIFIC_CODES.HEDGE_LOST,
    retryable: false,
    message: `hedged attempt #${loser} lost the race to attempt #${winner}, which reached its first token first`,
  });
}

export interface RacingSink extends AttemptSink {
  /** The attempt has produced its first token (content), whether or not it has committed. */
  readonly sawContent: boolean;
}

/**
 * A racing attempt's sink. `onWin` is told synchronously, at the commit point, so the other
 * attempt is cancelled before it can produce anything more.
 */
export function racingSink(
  answer: AnswerStream,
  race: ReturnType<typeof createHedgeRace>,
  index: number,
  options: { atomicToolCalls: boolean; onWin: () => void },
): RacingSink {
  const direct = answerSink(answer);
  const held: StreamPart[] = [];
  let info: CommitInfo | undefined;
  let claimed = false;
  let heldTokens = 0;
  let sawContent = false;
  const probe = createStitcher(() => {}, {
    // The probe commits exactly where the call's own stitcher will once the parts are replayed.
    atomicToolCalls: options.atomicToolCalls,
    onCommit: () => {
      if (!race.claim(index)) throw hedgeLost(index, race.winner ?? 1 - index);
      claimed = true;
      direct.begin(info ?? { provider: '', model: '', attempts: 0 });
      for (const part of held) direct.push(part);
      held.length = 0;
      options.onWin();
    },
  });
  return {
    begin(begun) {
      info = begun;
      probe.beginPiece();
    },
    push(part) {
      if (claimed) {
        direct.push(part);
        return;
      }
      if (race.winner !== undefined) throw hedgeLost(index, race.winner);
      held.push(part);
      if (!sawContent && isContentPart(part)) sawContent = true;
      if (part.type === 'block_delta') {
        const d = part.delta;
        heldTokens += estimateTextTokens(
          d.type === 'text'
            ? d.text
            : d.type === 'thinking'
              ? d.thinking
              : d.type === 'tool_input'
                ? d.partialJson
                : '',
        );
      }
      probe.push(part);
    },
    finish() {
      if (claimed) {
        direct.finish();
        return;
      }
      if (race.winner !== undefined) throw hedgeLost(index, race.winner);
      probe.finish();
      if (claimed) direct.finish();
    },
    abandon() {
      if (claimed) direct.abandon();
    },
    interrupt() {
      if (claimed) direct.interrupt();
    },
    get ended() {
      return claimed ? direct.ended : false;
    },
    get forwarded() {
      return claimed && direct.forwarded;
    },
    get committed() {
      return claimed && direct.committed;
    },
    get sawContent() {
      return sawContent;
    },
    get unsentTokens() {
      return claimed ? 0 : heldTokens;
    },
  };
}
