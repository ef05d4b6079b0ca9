/**
 * The failure classes of the failure table (docs/architecture.md). A kind is what the engine
 * reasons about; the status and the provider's own type only feed the classifier.
 */
export const ERROR_KINDS = [
  'rate_limited',
  'quota_exceeded',
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
  /**
   * Whether the target cools down until the server's hinted time instead of counting against
   * its breaker: no call tries it meanwhile, and a call with nothing else left may wait for it.
   */
  readonly coolsDown: boolean;
  /**
   * How long no call tries the target after this failure, hint or not (0: none). Unlike a
   * hinted cooldown it is not worth waiting for: a spent quota or credit balance stays spent
   * until a human acts or the period rolls over (DEFAULT_QUOTA_COOLDOWN_MS). `cooldownEndOf`
   * computes the end of either.
   */
  readonly minimumCooldownMs: number;
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
  extra: Partial<
    Pick<FailureTreatment, 'longCooldown' | 'coolsDown' | 'minimumCooldownMs' | 'fallBackFirst'>
  > = {},
): FailureTreatment =>
  Object.freeze({
    retrySameTarget,
    fallBack,
    breakerCounts,
    longCooldown: extra.longCooldown ?? false,
    coolsDown: extra.coolsDown ?? false,
    minimumCooldownMs: extra.minimumCooldownMs ?? 0,
    fallBackFirst: extra.fallBackFirst ?? false,
  });

/**
 * How long a target whose account's quota, spend limit or credit is exhausted is left alone:
 * 5 minutes. Such a failure does not clear by itself within a call (it lasts until someone tops
 * up or raises the limit, or the day or month rolls over), so retrying it sooner only spends
 * an attempt per call on an answer known in advance; longer would keep a topped-up account
 * unused for longer. Each cooldown costs one fast-failing attempt when it ends. Gemini's daily
 * quota error carries a RetryInfo hint of seconds, which is not when the day's quota returns:
 * the longer of the two wins.
 */
export const DEFAULT_QUOTA_COOLDOWN_MS = 300_000;

export const FAILURE_TABLE: Readonly<Record<ErrorKind, FailureTreatment>> = Object.freeze({
  rate_limited: treat('after_hint', 'yes', false, { coolsDown: true, fallBackFirst: true }),
  // Not a rate limit: asking again cannot help before a human acts, so never here; another
  // provider (another account) may answer. The breaker keeps out of it: the target is healthy.
  quota_exceeded: treat('no', 'yes', false, { minimumCooldownMs: DEFAULT_QUOTA_COOLDOWN_MS }),
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

/** What a cooldown computation needs of a failure (an OutlastError has all of it). */
export interface CooldownFacts {
  readonly kind: ErrorKind;
  readonly phase?: TimeoutPhase | undefined;
  readonly retryAfterMs?: number | undefined;
}

/**
 * When a target may be tried again after this failure, for every call: the server's hinted
 * time for a kind that cools down, and at least the kind's minimum cooldown (`quotaCooldownMs`
 * overrides the quota one; a longer hint still wins); undefined when the failure does not cool
 * the target (it may count for the breaker instead). The one place this time is computed.
 */
export function cooldownEndOf(
  failure: CooldownFacts,
  nowMs: number,
  options: { quotaCooldownMs?: number } = {},
): number | undefined {
  const treatment = treatmentOf(failure.kind, failure.phase);
  const minimum =
    failure.kind === 'quota_exceeded'
      ? (options.quotaCooldownMs ?? treatment.minimumCooldownMs)
      : treatment.minimumCooldownMs;
  if (!treatment.coolsDown && minimum <= 0) return undefined;
  const hinted = failure.retryAfterMs;
  if (hinted === undefined && minimum <= 0) return undefined;
  return nowMs + Math.max(hinted ?? 0, minimum);
}

/** Whether a failure of this kind can succeed if tried again somewhere (here or on another target). */
export function isTransientKind(kind: ErrorKind): boolean {
  const t = FAILURE_TABLE[kind];
  return t.retrySameTarget !== 'no';
}
