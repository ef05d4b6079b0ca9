// The policy layer: provider-agnostic resilience primitives, each with an injectable Clock.
export {
  type Backoff,
  type BackoffOptions,
  createBackoff,
  type Jitter,
  type PlanRetryWaitInput,
  planRetryWait,
  type RetryWaitPlan,
} from './backoff.ts';
export { describeBreakerOpening } from './breaker-description.ts';
export type { BreakerBucket, BreakerEvidence, OpeningReason } from './breaker-evidence.ts';
export {
  type BreakerState,
  type BreakerStateName,
  type BreakerStore,
  createMemoryBreakerStore,
} from './breaker-store.ts';
export {
  type AcquireOptions,
  type BreakerOpening,
  type BreakerOutcome,
  type BreakerPermit,
  type BreakerStateChange,
  type BreakerTransitionReason,
  type CircuitBreaker,
  type CircuitBreakerOptions,
  createCircuitBreaker,
} from './circuit-breaker.ts';
export { type Clock, realClock, sleepWith, type TimerHandle } from './clock.ts';
export {
  type CooldownEntry,
  type CooldownStore,
  type Cooldowns,
  createCooldowns,
  createMemoryCooldownStore,
} from './cooldown.ts';
export {
  type AttemptPhase,
  type AttemptScope,
  abortReason,
  createDeadline,
  type Deadline,
  type DeadlineOptions,
  type PhaseBudgets,
} from './deadline.ts';
export { createFakeClock, type FakeClock } from './fake-clock.ts';
export {
  createHedgeBudget,
  type HedgeBudget,
  type HedgeBudgetOptions,
  type HedgeBudgetSnapshot,
} from './hedge-budget.ts';
export { type HedgeOptions, type HedgeResult, hedge, hedgeRace } from './hedging.ts';
export {
  createQuantileTracker,
  type QuantileTracker,
  type QuantileTrackerOptions,
} from './latency-quantiles.ts';
export { parseDuration, parseRetryAfter, readServerHint, type ServerHint } from './retry-after.ts';
export {
  createRetryBudget,
  type RetryBudget,
  type RetryBudgetOptions,
  type RetryBudgetSnapshot,
} from './retry-budget.ts';
export { createSeededRandom } from './seeded-random.ts';
export {
  countInWindow,
  liveBuckets,
  sumWindow,
  type WindowBucket,
  type WindowShape,
} from './sliding-window.ts';
export {
  createStreamRateGuard,
  type SlowVerdict,
  type StreamRateGuard,
  type StreamRateOptions,
} from './stream-rate.ts';
