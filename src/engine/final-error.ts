/**
 * The one error a failed call ends with: the primary's real failure (never a secondary
 * artefact such as a rejected continuation), with every attempt attached and a message that
 * tells the story, e.g. `upstream anthropic/claude-sonnet-4-5 answered 529 overloaded_error
 * after 2 attempts (1.4 s); fell back to openai/gpt-4.1: 500 server_error`.
 */
import {
  type AttemptRecord,
  formatDuration,
  OutlastError,
  SPECIFIC_CODES,
  targetLabel,
} from '../errors/index.ts';
import { type BreakerOpening, describeBreakerOpening } from '../policy/index.ts';
import type { SkipReason } from './events.ts';

/**
 * A target the call did not try, and why. `breaker`: the refusing breaker's opening (the
 * denied permit's `openedAt`/`evidence`/`state`), so the message says since when and on what
 * evidence; `cooledBy`: the kind of failure that is cooling the target (a rate limit, a spent
 * quota).
 */
export interface SkipRecord {
  readonly provider: string;
  readonly model: string;
  readonly reason: SkipReason;
  readonly breaker?: BreakerOpening;
  readonly cooledBy?: string;
}

/** What went wrong, briefly: `529 overloaded_error`, `first_token timeout (12000 ms)`, `network`. */
export function describeFailure(error: OutlastError): string {
  if (error.status !== undefined)
    return `${error.status}${error.providerType ? ` ${error.providerType}` : ''}`;
  if (error.kind === 'timeout') {
    return `${error.phase ?? 'timeout'} timeout${error.limitMs === undefined ? '' : ` (${error.limitMs} ms)`}`;
  }
  return error.providerType ? `${error.kind} ${error.providerType}` : error.kind;
}

export interface FinalErrorInput {
  attempts: readonly AttemptRecord[];
  /** Attempts that must never be the final error (prefill rejections, failed continuations). */
  artefacts: ReadonlySet<AttemptRecord>;
  skips: ReadonlyArray<SkipRecord>;
  /** The error that ended the call when it is not an attempt's (the deadline, the caller's abort, a route error). */
  ending?: OutlastError;
  /** An interruption after the commit point that could not be recovered: the real failure. */
  interruption?: OutlastError;
}

const SKIP_TEXT: Readonly<Record<SkipReason, string>> = {
  breaker_open: 'breaker open',
  provider_breaker_open: 'provider breaker open',
  cooling_down: 'cooling down after a rate limit',
  context_window: 'prompt larger than its context window',
};

/** Why a target was skipped, in words: `breaker open since 12:00:03 UTC, 14 failures in a row over 2.0 s`. */
export function describeSkip(skip: SkipRecord): string {
  if ((skip.reason === 'breaker_open' || skip.reason === 'provider_breaker_open') && skip.breaker) {
    const text = describeBreakerOpening(skip.breaker);
    return skip.reason === 'provider_breaker_open' ? `provider ${text}` : text;
  }
  if (skip.reason === 'cooling_down' && skip.cooledBy === 'quota_exceeded')
    return "cooling down after its account's quota or credit ran out";
  return SKIP_TEXT[skip.reason];
}

export function buildFinalError(input: FinalErrorInput): OutlastError {
  const real = input.attempts.filter((a) => a.error && !input.artefacts.has(a));
  const attempts = [...input.attempts];
  if (input.ending?.kind === 'cancelled') {
    return input.ending.with({ attempts, message: input.ending.message });
  }
  // A target that could not be sent the request at all (its format cannot say it) tells less than
  // one that answered: the first upstream that was asked leads.
  const untranslatable = (a: AttemptRecord) => a.error?.code === SPECIFIC_CODES.UNTRANSLATABLE;
  const primaryRecord = real.find((a) => !untranslatable(a)) ?? real[0];
  const primary = input.interruption ?? primaryRecord?.error ?? input.ending;
  if (!primary) {
    return new OutlastError({
      kind: 'server',
      message: 'no target could be tried',
      attempts,
    });
  }
  // The primary target's last real failure is the most telling of its attempts.
  const first = primaryRecord ?? input.attempts[0];
  const onPrimary = first ? real.filter((a) => a.provider === first.provider && a.model === first.model) : [];
  const chosen = input.interruption ?? onPrimary[onPrimary.length - 1]?.error ?? primary;
  const parts: string[] = [];
  if (first) {
    const label = targetLabel(first.provider, first.model);
    const spent = onPrimary.reduce((n, a) => n + a.durationMs + a.waitedMs, 0);
    const n = onPrimary.length;
    const verb = input.interruption ? 'broke off mid-answer with' : 'answered';
    // The upstream's own words, briefly: the story says what outlast did, they say why it failed.
    const said = chosen.providerMessage?.replace(/\s+/g, ' ').trim().slice(0, 200);
    parts.push(
      `upstream ${label} ${verb} ${describeFailure(chosen)} after ${n} attempt${n === 1 ? '' : 's'} (${formatDuration(spent)})` +
        (said ? ` ("${said}")` : ''),
    );
  } else {
    parts.push(chosen.message);
  }
  // Continuations that failed before any of them reached the caller: counted, never the error itself.
  const continuations = input.interruption ? input.attempts.filter((a) => a.continuation && a.error) : [];
  if (continuations.length > 0) {
    const causes = [
      ...new Set(
        continuations.map((a) =>
          a.error?.code === SPECIFIC_CODES.CONTINUATION_UNALIGNED
            ? 'did not align with the answer'
            : a.error
              ? describeFailure(a.error)
              : 'failed',
        ),
      ),
    ];
    const n = continuations.length;
    parts.push(`${n} continuation attempt${n === 1 ? '' : 's'} failed (${causes.join(', ')})`);
  }
  const seen = new Set(first ? [`${first.provider}/${first.model}`] : []);
  for (const a of real) {
    const key = `${a.provider}/${a.model}`;
    if (seen.has(key) || !a.error) continue;
    seen.add(key);
    const lastHere = real.filter((r) => `${r.provider}/${r.model}` === key).at(-1)?.error ?? a.error;
    parts.push(
      untranslatable(a)
        ? `${key} could not take it (${a.error.message})`
        : `fell back to ${key}: ${describeFailure(lastHere)}`,
    );
  }
  for (const s of input.skips) {
    const key = `${s.provider}/${s.model}`;
    if (seen.has(key)) continue;
    seen.add(key);
    parts.push(`skipped ${key} (${describeSkip(s)})`);
  }
  if (input.ending && input.ending !== chosen && input.ending.kind === 'timeout')
    parts.push(input.ending.message);
  return chosen.with({
    message: parts.join('; '),
    attempts,
    cause: chosen,
    ...(chosen.provider ? {} : first ? { provider: first.provider, model: first.model } : {}),
  });
}
