/**
 * The slow-stream guard for one attempt (`stream.slowFloor`): a stream that has begun but
 * crawls below the floor (or a share of the target's own median rate) is degraded. Before the
 * commit point it fails as an idle timeout would (the call goes on elsewhere, invisibly);
 * after it, only `afterCommit: 'continue'` fails it, and the answer is continued elsewhere by
 * the recovery. Off unless configured (README "Slow-stream guard" says why).
 */
import { OutlastError, SPECIFIC_CODES } from '../../errors/index.ts';
import { createStreamRateGuard, type StreamRateGuard } from '../../policy/index.ts';
import { deltaChars, type StreamPart } from '../../wire/canonical/index.ts';
import type { CallContext } from '../call/call-context.ts';
import { CHARS_PER_TOKEN } from '../estimate-tokens.ts';
import type { TargetRef } from '../routes.ts';

/** Streams a target has finished before its median rate is trusted as its norm. */
export const NORM_MIN_STREAMS = 20;

export interface SlowStreamWatch {
  /** Each part as it is pushed; throws the slow-stream error once the stream is degraded. */
  observe(part: StreamPart, committed: boolean): void;
  /** The stream ended whole: its rate joins the target's norm. */
  streamEnded(): void;
}

function contentChars(part: StreamPart): number {
  if (part.type !== 'block_delta') return 0;
  return deltaChars(part.delta);
}

export function slowStreamGuard(
  ctx: CallContext,
  ref: TargetRef,
  continuation: boolean,
): SlowStreamWatch | undefined {
  const rule = ctx.deps.settings.stream.slowFloor;
  if (!rule) return undefined;
  const { clock, stats } = ctx.deps;
  const rates = stats.rate(ref.key);
  const norm = rates.count() >= NORM_MIN_STREAMS ? rates.quantile(0.5) : undefined;
  const guard: StreamRateGuard = createStreamRateGuard({
    floorTps: rule.tokensPerSecond,
    relative: rule.relative,
    normTps: norm,
    graceMs: rule.graceMs,
    windowMs: rule.windowMs,
    clock,
  });
  let firstAt: number | undefined;
  let tokens = 0;
  let watching = guard.thresholdTps > 0;
  return {
    observe(part, committed) {
      const chars = contentChars(part);
      if (chars === 0) return;
      firstAt ??= clock.now();
      tokens += chars / CHARS_PER_TOKEN;
      if (!watching) return;
      const verdict = guard.observe(chars / CHARS_PER_TOKEN);
      if (!verdict) return;
      // A committed answer streams on, however slowly, unless the caller asked to continue it elsewhere.
      if (committed && rule.afterCommit !== 'continue') {
        watching = false;
        return;
      }
      throw new OutlastError({
        kind: 'timeout',
        phase: 'idle',
        code: SPECIFIC_CODES.SLOW_STREAM,
        retryable: true,
        provider: ref.provider,
        model: ref.model,
        message:
          `${ref.key} streamed ${verdict.rateTps.toFixed(1)} tokens/s over the last ${verdict.windowMs} ms, ` +
          `below the slow-stream floor of ${verdict.thresholdTps.toFixed(1)} tokens/s` +
          `${continuation ? ' (a continuation)' : committed ? ' after the commit point' : ' before the commit point'}`,
      });
    },
    streamEnded() {
      if (firstAt === undefined) return;
      const seconds = (clock.now() - firstAt) / 1000;
      // A short answer says little of the rate: its first seconds are the bursty ones.
      if (seconds * 1000 >= rule.graceMs && seconds > 0) rates.record(tokens / seconds);
    },
  };
}
