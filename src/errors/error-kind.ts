/**
 * The failure classes of DESIGN.md's table. A kind is what the engine reasons about;
 * the status and the provider's own type only feed the classifier.
 */
export const ERROR_KINDS = [
  'rate_limited',
  'overloaded',
  'server',
  'network',
  'timeout',
  'stream_interrupted',
  'invalid_response',
  'context_length',
  'content_filter',
  'auth',
  'permission',
  'not_found',
  'bad_request',
  'cancelled',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Which budget a `timeout` ran out of. `deadline` is the whole call across retries and fallbacks. */
export const TIMEOUT_PHASES = ['connect', 'headers', 'first_token', 'idle', 'total', 'deadline'] as const;
export type TimeoutPhase = (typeof TIMEOUT_PHASES)[number];

/** What the engine may do after a failure of a kind: the failure table as data. */
export interface FailureTreatment {
  /**
   * `yes`: retry here with backoff. `after_hint`: retry here only after the server's hint,
   * if it fits the deadline. `last_resort`: fall back first, retry here only when nothing
   * else is left. `no`: never retry this target for this call.
   */
  readonly retrySameTarget: 'yes' | 'after_hint' | 'last_resort' | 'no';
  /** `if_configured`: only when the route opts in (content filter). */
  readonly fallBack: 'yes' | 'no' | 'if_configured';
  /** Whether the failure counts against the target's circuit breaker. */
  readonly breakerCounts: boolean;
  /** Whether a breaker opened by this kind should stay open long (auth, permission, not found). */
  readonly longCooldown: boolean;
  /** Whether the target cools down until the server's hinted time instead. */
  readonly coolsDown: boolean;
  /**
   * The target is saturated (429, 529, 503): asking it again answers later than a ready target
   * further down the route, so that one is tried first and this one is retried after it.
   */
  readonly fallBackFirst: boolean;
}

const treat = (
  retrySameTarget: FailureTreatment['retrySameTarget'],
  fallBack: FailureTreatment['fallBack'],
  breakerCounts: boolean,
  extra: Partial<Pick<FailureTreatment, 'longCooldown' | 'coolsDown' | 'fallBackFirst'>> = {},
): FailureTreatment =>
  Object.freeze({
    retrySameTarget,
    fallBack,
    breakerCounts,
    longCooldown: extra.longCooldown ?? false,
    coolsDown: extra.coolsDown ?? false,
    fallBackFirst: extra.fallBackFirst ?? false,
  });

export const FAILURE_TABLE: Readonly<Record<ErrorKind, FailureTreatment>> = Object.freeze({
  rate_limited: treat('after_hint', 'yes', false, { coolsDown: true, fallBackFirst: true }),
  overloaded: treat('yes', 'yes', true, { fallBackFirst: true }),
  server: treat('yes', 'yes', true),
  network: treat('yes', 'yes', true),
  // `connect` timeouts are retried here at once; the other phases fall back first (see treatmentOf).
  timeout: treat('last_resort', 'yes', true),
  stream_interrupted: treat('yes', 'yes', true),
  invalid_response: treat('yes', 'yes', true),
  context_length: treat('no', 'yes', false),
  content_filter: treat('no', 'if_configured', false),
  auth: treat('no', 'yes', true, { longCooldown: true }),
  permission: treat('no', 'yes', true, { longCooldown: true }),
  not_found: treat('no', 'yes', true, { longCooldown: true }),
  bad_request: treat('no', 'no', false),
  cancelled: treat('no', 'no', false),
});

const CONNECT_TIMEOUT: FailureTreatment = Object.freeze({ ...FAILURE_TABLE.timeout, retrySameTarget: 'yes' });

/** The treatment of a failure, with the one case the kind alone does not decide: the timeout phase. */
export function treatmentOf(kind: ErrorKind, phase?: TimeoutPhase): FailureTreatment {
  if (kind === 'timeout' && phase === 'connect') return CONNECT_TIMEOUT;
  return FAILURE_TABLE[kind];
}

/** Whether a failure of this kind can succeed if tried again somewhere (here or on another target). */
export function isTransientKind(kind: ErrorKind): boolean {
  const t = FAILURE_TABLE[kind];
  return t.retrySameTarget !== 'no';
}
