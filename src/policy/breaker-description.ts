/**
 * A breaker's refusal in words, for the error a caller gets when a target was skipped:
 * `breaker open since 12:00:03 UTC, 14 failures in a row over 2.0 s`.
 */
import { formatDuration } from '../errors/index.ts';
import type { BreakerOpening } from './circuit-breaker.ts';

/** `12:00:03 UTC`: the time of day, as logs in UTC show it. */
function timeOfDay(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(11, 19)} UTC`;
}

export function describeBreakerOpening(opening: BreakerOpening): string {
  const since = `breaker open since ${timeOfDay(opening.openedAt)}`;
  const probing = opening.state === 'half_open' ? ' (a probe is in flight)' : '';
  const e = opening.evidence;
  if (!e) return `${since}${probing}`;
  const over = formatDuration(e.spanMs);
  const why =
    e.reason === 'consecutive_failures'
      ? `${e.failures} failures in a row over ${over}`
      : `${e.failures} of ${e.attempts ?? e.failures} attempts failed over ${over} (${e.calls ?? e.failures} calls)`;
  return `${since}${probing}, ${why}`;
}
