/** What one call knows of each target of its route, as its passes over them go on. */
import { type Backoff, createBackoff } from '../../policy/index.ts';
import type { SkipReason } from '../events.ts';
import type { TargetRef } from '../routes.ts';
import type { RetrySettings } from '../settings.ts';

export interface TargetState {
  readonly ref: TargetRef;
  /** Attempts this call made on the target, continuations included. */
  attempts: number;
  backoff: Backoff;
  /** Saturated or silent: retried only once every other target had its turn. */
  lastResort: boolean;
  /** Its last failure was a timeout: retrying it costs a whole timeout, so it waits behind cooldowns. */
  silent: boolean;
  skipped?: SkipReason;
  /** When a rate-limit cooldown (this call's 429 or another call's) lets this target be tried again. */
  coolingUntilMs?: number;
  /** The failure kind behind that cooldown (`rate_limited`, `quota_exceeded`, …), when known. */
  cooledBy?: string;
}

export function createTargetStates(targets: readonly TargetRef[], retry: RetrySettings): TargetState[] {
  return targets.map((ref) => ({
    ref,
    attempts: 0,
    backoff: createBackoff({ baseMs: retry.baseMs, capMs: retry.capMs, jitter: retry.jitter }),
    lastResort: false,
    silent: false,
  }));
}
