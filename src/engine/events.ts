/** What the engine tells its subscribers (logs, metrics, traces, the `on` option). */
import type { AttemptRecord, ErrorKind, OutlastError } from '../errors/index.ts';
import type { BreakerStateName } from '../policy/index.ts';
import type { Usage } from '../wire/canonical/index.ts';

export interface Trace {
  /** Ours, one per call (the gateway returns it as `x-outlast-request-id`). */
  readonly requestId: string;
  /** The target that produced the answer (the last one when a stream was continued elsewhere). */
  readonly answeredBy?: { provider: string; model: string };
  readonly attempts: readonly AttemptRecord[];
  /** Attempts on a target already tried in this call. */
  readonly retries: number;
  /** Moves from one target to another. */
  readonly fallbacks: number;
  readonly breakerSkips: ReadonlyArray<{ provider: string; model: string; reason: SkipReason }>;
  /** Whether the answer was stitched from a stream that broke and was continued. */
  readonly continued: boolean;
  /**
   * Present when the call's first attempt was hedged: the delay it waited for a first token,
   * the target of the second attempt, and whether that second attempt answered (the loser was
   * cancelled; its record has code OUTLAST_HEDGE_LOST and its tokens count as wasted).
   */
  readonly hedge?: { readonly delayMs: number; readonly target: TargetRef; readonly won: boolean };
  /** Output tokens of failed attempts and of overlap dropped from continuations. */
  readonly wastedOutputTokens: number;
  /**
   * The answer's token usage as its upstream reported it (the last `message_start` /
   * `message_delta` usage of the answer the caller got). Optional until the engine fills it in;
   * observers read it when present (the gateway counts what it relays meanwhile).
   */
  readonly usage?: Usage;
  readonly durationMs: number;
  readonly outcome: 'success' | 'error' | 'salvaged' | 'cancelled';
}

export type SkipReason = 'breaker_open' | 'provider_breaker_open' | 'cooling_down' | 'context_window';

interface CallRef {
  readonly requestId: string;
}
interface TargetRef {
  readonly provider: string;
  readonly model: string;
}

export type EngineEvent =
  | (CallRef & TargetRef & { type: 'attempt_start'; attempt: number; continuation: boolean; probe: boolean })
  | (CallRef &
      TargetRef & {
        type: 'attempt_end';
        attempt: number;
        outcome: 'success' | 'error' | 'cancelled';
        errorKind?: ErrorKind;
        status?: number;
        durationMs: number;
        ttftMs?: number;
        /** The provider's request id. */
        upstreamRequestId?: string;
        error?: OutlastError;
        continuation: boolean;
      })
  | (CallRef & TargetRef & { type: 'retry'; attempt: number; waitMs: number; source: 'hint' | 'backoff' })
  | (CallRef & {
      type: 'fallback';
      from: TargetRef;
      to: TargetRef;
      reason: ErrorKind | SkipReason | 'last_resort';
    })
  | (CallRef & TargetRef & { type: 'skip'; reason: SkipReason })
  /** The call's first attempt (on `from`) had no first token after `delayMs`: a second one starts on `to`. */
  | (CallRef & { type: 'hedge'; from: TargetRef; to: TargetRef; delayMs: number })
  /** A hedged call's race ended: which attempt answered (`none`: both failed before their first token). */
  | (CallRef & {
      type: 'hedge_settled';
      from: TargetRef;
      to: TargetRef;
      winner: 'primary' | 'hedge' | 'none';
    })
  | {
      type: 'breaker';
      /** `provider/model` for a target's breaker, `provider` for a provider's. */
      key: string;
      from: BreakerStateName;
      to: BreakerStateName;
      at: number;
    }
  | { type: 'cooldown'; key: string; untilMs: number; reason: string }
  | (CallRef &
      TargetRef & {
        type: 'interruption';
        error: OutlastError;
        /** What the engine does about it. */
        action: 'continue' | 'salvage' | 'error';
      })
  | (CallRef & { type: 'complete'; trace: Trace })
  | (CallRef & { type: 'failed'; error: OutlastError; trace: Trace });

export type EngineEventType = EngineEvent['type'];

export interface EventHub {
  emit(event: EngineEvent): void;
  on(listener: (event: EngineEvent) => void): () => void;
}

/**
 * A listener that throws is the listener's problem: it never breaks a call. The listeners
 * are kept in an array replaced on every change, so an emit (several per call) walks a
 * snapshot without copying it, and a listener added or removed meanwhile waits for the next event.
 */
export function createEventHub(): EventHub {
  let listeners: ReadonlyArray<(event: EngineEvent) => void> = [];
  return {
    emit(event) {
      const current = listeners;
      for (let i = 0; i < current.length; i++) {
        try {
          current[i]!(event);
        } catch {
          // ignored on purpose, see above
        }
      }
    },
    on(listener) {
      // A listener added twice is called once, as with the Set this replaces.
      if (!listeners.includes(listener)) listeners = [...listeners, listener];
      return () => {
        listeners = listeners.filter((l) => l !== listener);
      };
    },
  };
}
