/** The budget every system gets in the faults suite, so the comparison is of strategy, not of effort. */
export const BUDGET = {
  /** Retries after the first attempt, per model (the guide loop keeps its own 2 attempts per model). */
  retries: 2,
  /** One attempt's time: every system gets 5 s, applied however it can (see each system's note). */
  attemptTimeoutMs: 5000,
  /** The harness aborts any call still running after this; it then counts as a failure. */
  callDeadlineMs: 30_000,
  maxTokens: 200,
} as const;
