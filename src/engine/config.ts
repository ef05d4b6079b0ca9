/**
 * The client options (`createClient`, and the `providers`/`routes` part of the gateway's YAML),
 * validated once at construction. Every option takes a shorthand and an object; a bad value
 * fails with a message naming the option and the value.
 */
import { z } from 'zod';
import { BALANCE_STRATEGIES } from '../policy/balance/index.ts';

const positiveInt = z.number({ error: 'expected a positive integer' }).int('expected a positive integer');
const ms = z.number({ error: 'expected a number of ms >= 0' }).min(0, 'expected a number of ms >= 0');
const ratio = z
  .number({ error: 'expected a number between 0 and 1' })
  .min(0, 'expected a number between 0 and 1')
  .max(1, 'expected a number between 0 and 1');

export const PROVIDER_TYPES = ['anthropic', 'openai', 'gemini'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

export const providerSchema = z.strictObject({
  type: z.enum(PROVIDER_TYPES, { error: `expected one of ${PROVIDER_TYPES.join(', ')}` }),
  apiKey: z.string({ error: 'expected a string' }).optional(),
  /** As the official SDK takes it: Anthropic/Gemini without a version path, OpenAI with `/v1`. */
  baseURL: z.url({ error: 'expected an absolute URL' }).optional(),
  headers: z.record(z.string(), z.string({ error: 'expected a string' })).optional(),
  /** Models this provider serves, so a bare model name finds its provider. */
  models: z.array(z.string()).optional(),
  /**
   * `openai` only: the upstream is OpenAI's own Responses API (`POST /v1/responses`), so a
   * Responses API call routed here goes as it came and its answer comes back unchanged
   * (`previous_response_id`, `store`, hosted tools work); other calls still use Chat Completions.
   */
  responses: z.boolean({ error: 'expected a boolean' }).optional(),
});

const targetRef = z
  .string({ error: 'expected "provider/model"' })
  .regex(/^[^/\s]+\/\S+$/, 'expected "provider/model"');

const weight = z
  .number({ error: 'expected a weight > 0' })
  .positive('expected a weight > 0')
  .finite('expected a weight > 0');

/**
 * Interchangeable targets (the same model on several deployments or keys) tried as one step of
 * the chain: each call's order among them comes from the strategy, its members are each
 * other's first fallback, then the chain goes on. `weighted` takes `{ target, weight }` members
 * (a plain `provider/model` weighs 1).
 */
export const routeGroupSchema = z
  .strictObject({
    balance: z
      .enum(BALANCE_STRATEGIES, { error: `expected one of ${BALANCE_STRATEGIES.join(', ')}` })
      .describe(
        "How each call orders the members: weighted (smooth weighted round-robin over the members' weights), round-robin, least-busy (fewest calls in flight on this instance), latency (power of two choices over a peak-sensitive moving average of time to first token, 10 s decay)",
      ),
    targets: z
      .array(
        z.union(
          [
            targetRef,
            z.strictObject({
              target: targetRef,
              weight: weight.describe(
                'Share of the calls, relative to the other members (a plain "provider/model" member weighs 1)',
              ),
            }),
          ],
          {
            error: 'expected "provider/model" or { target: "provider/model", weight }',
          },
        ),
      )
      .min(1, 'expected at least one target'),
  })
  .describe(
    "A balanced group: interchangeable targets tried as one step of the chain; the strategy picks each call's member, the other members are its first fallbacks, then the chain goes on",
  )
  .superRefine((group, ctx) => {
    const seen = new Set<string>();
    group.targets.forEach((member, i) => {
      const ref = typeof member === 'string' ? member : member.target;
      if (seen.has(ref))
        ctx.addIssue({ code: 'custom', path: ['targets', i], message: `"${ref}" is listed twice` });
      seen.add(ref);
      if (typeof member !== 'string' && group.balance !== 'weighted')
        ctx.addIssue({
          code: 'custom',
          path: ['targets', i, 'weight'],
          message: `a weight applies only to balance: weighted (this group balances by ${group.balance})`,
        });
    });
  });
export type RouteGroupInput = z.output<typeof routeGroupSchema>;

const routeEntry = z.union([targetRef, routeGroupSchema], {
  error: 'expected "provider/model" or a balanced group { balance, targets }',
});
export type RouteEntryInput = z.output<typeof routeEntry>;
/**
 * Hedged requests on a route: when the first attempt has no first token after `after` (the
 * first target's observed p95 time to first token, or a fixed number of ms), a second attempt
 * starts on the next target; the first to reach its first token answers, the other is
 * cancelled. `false`: never (the same as leaving it out; says so where a reader looks).
 */
export const hedgeSchema = z
  .union(
    [
      z.literal(false),
      z.strictObject({
        after: z
          .union([z.literal('p95'), ms], { error: "expected 'p95' or a number of ms >= 0" })
          .describe(
            "How long the call's first attempt may go without a first token before a second starts on the next target: 'p95' (the first target's observed p95 time to first token) or a number of ms",
          ),
        /** Hedged calls at most as a share of the route's calls in the window; default 0.05. */
        maxRatio: ratio
          .describe(
            "Hedged calls at most as a share of the route's calls in the window (default 0.05, no floor)",
          )
          .optional(),
        /** The budget's window; default 60 000. */
        windowMs: ms
          .min(1, 'expected a number of ms >= 1')
          .describe('The hedge budget window, ms (default 60000)')
          .optional(),
        /** With `after: p95`: the delay while the target has fewer than `minSamples` first tokens; no hedge when absent. */
        fallbackMs: ms
          .describe(
            "With after: 'p95', the delay while the target has fewer than minSamples first tokens (absent: no hedge until then)",
          )
          .optional(),
        /** With `after: p95`: first tokens observed before the p95 is trusted; default 20. */
        minSamples: positiveInt
          .min(1, 'expected a positive integer')
          .describe("With after: 'p95', first tokens observed before the p95 is trusted (default 20)")
          .optional(),
      }),
    ],
    { error: "expected false or an object { after: 'p95' | ms, maxRatio? }" },
  )
  .describe(
    'Hedged requests: the first to reach its first token answers, the other is cancelled; false or absent: never. A call with { hedge: false } in its options is never hedged',
  );

export const routeSchema = z.union(
  [
    z.array(routeEntry).min(1, 'expected at least one target'),
    z.strictObject({
      targets: z.array(routeEntry).min(1, 'expected at least one target'),
      /** A content-filter refusal falls back to the next target only when this is set. */
      fallbackOnContentFilter: z.boolean().optional(),
      /**
       * `order` (default): the targets are the caller's preference, so a short server hint on
       * one is waited out there; `fastest`: fall back first, whatever the hint.
       */
      prefer: z.enum(['order', 'fastest']).optional(),
      /** This route's own `retry.hintWaitMs`. */
      hintWaitMs: ms.optional(),
      hedge: hedgeSchema.optional(),
    }),
  ],
  { error: 'expected a list of "provider/model" targets or balanced groups, or an object with targets' },
);

const budgetSchema = z.strictObject({
  ratio: z.number({ error: 'expected a number >= 0' }).min(0, 'expected a number >= 0').optional(),
  windowMs: ms.optional(),
  minRetriesPerWindow: z.number().int().min(0, 'expected an integer >= 0').optional(),
});

const retryObject = z.strictObject({
  /** Attempts per target, the first included. */
  attempts: positiveInt.min(1, 'expected a positive integer').optional(),
  baseMs: ms.optional(),
  capMs: ms.optional(),
  jitter: z.enum(['full', 'equal', 'decorrelated', 'none']).optional(),
  /** Longest server hint honoured; a longer one falls back at once. */
  maxHintMs: ms.optional(),
  /**
   * A 429 or 503 whose hint is at most this long (and fits the deadline) is waited out on the
   * same target before falling back: the route's order is the caller's preference. Default 5000.
   */
  hintWaitMs: ms.optional(),
  /**
   * When every target of the route is cooling after rate limits, the longest a call waits for
   * the soonest to come back; beyond it the call ends at once, rate_limited, with the time to
   * retry (the gateway answers 429 + retry-after rather than hold the connection). Default 10 000.
   */
  cooldownWaitMs: ms.optional(),
  budget: z.union([budgetSchema, z.literal(false)]).optional(),
});
export const retrySchema = z.union(
  [positiveInt.min(1, 'expected a positive integer'), z.literal(false), retryObject],
  { error: 'expected a positive integer, false, or an object' },
);

export const TIMEOUT_PROFILES = ['quick', 'generation', 'thinking', 'large-context'] as const;
export type TimeoutProfileName = (typeof TIMEOUT_PROFILES)[number];

const timeoutObject = z.strictObject({
  profile: z.enum(['auto', ...TIMEOUT_PROFILES]).optional(),
  connect: ms.optional(),
  headers: ms.optional(),
  firstToken: ms.optional(),
  idle: ms.optional(),
  /** One attempt's whole budget. */
  total: ms.optional(),
  /** The whole call's budget across retries and fallbacks. */
  deadline: ms.optional(),
});
export const timeoutSchema = z.union([z.enum(['auto', ...TIMEOUT_PROFILES]), ms, timeoutObject], {
  error: `expected 'auto', ${TIMEOUT_PROFILES.map((p) => `'${p}'`).join(', ')}, a number of ms, or an object`,
});
export type TimeoutOption = z.input<typeof timeoutSchema>;

export const breakerSchema = z.union(
  [
    z.literal(false),
    z.strictObject({
      consecutiveFailures: positiveInt.min(1, 'expected a positive integer').optional(),
      failureRate: ratio.optional(),
      minimumCalls: positiveInt.min(1, 'expected a positive integer').optional(),
      minimumSpanMs: ms.optional(),
      windowMs: ms.optional(),
      cooldownMs: ms.optional(),
      cooldownMultiplier: z.number().min(1, 'expected a number >= 1').optional(),
      maxCooldownMs: ms.optional(),
      halfOpenMaxProbes: positiveInt.min(1, 'expected a positive integer').optional(),
      longCooldownMs: ms.optional(),
    }),
  ],
  { error: 'expected false or an object' },
);

export const ON_INTERRUPT = ['continue', 'salvage', 'error'] as const;
export type OnInterrupt = (typeof ON_INTERRUPT)[number];
export const UPSTREAM_STREAMING = ['always', 'when-streaming'] as const;
export type UpstreamStreaming = (typeof UPSTREAM_STREAMING)[number];
export const streamSchema = z.union(
  [
    z.enum(ON_INTERRUPT),
    z.strictObject({
      onInterrupt: z.enum(ON_INTERRUPT).optional(),
      /**
       * Hold each tool call until it is whole (default true), so a cut inside its arguments is
       * recovered before the caller sees any of it. `false` streams argument deltas as they
       * come, and a cut inside a call then ends the answer with an error.
       */
      atomicToolCalls: z.boolean().optional(),
      /**
       * The slow-stream guard: a stream crawling below this many tokens per second (or the
       * object's rule) is abandoned before the commit point and the call goes on elsewhere;
       * after it, the answer is continued elsewhere only with `afterCommit: 'continue'`.
       */
      slowFloor: z
        .union(
          [
            z.number().positive('expected a number of tokens per second > 0'),
            z.strictObject({
              /** Absolute floor, tokens per second. */
              tokensPerSecond: z
                .number()
                .positive('expected a number of tokens per second > 0')
                .describe('Absolute floor, tokens per second')
                .optional(),
              /** Slow below this share of the target's own median rate (once it has 20 streams). */
              relative: ratio
                .describe("Slow below this share of the target's own median rate (once it has 20 streams)")
                .optional(),
              /** No verdict in a stream's first ms; default 3000. */
              graceMs: ms.describe("No verdict in a stream's first ms (default 3000)").optional(),
              /** The rate is measured over the last ms; default 3000. */
              windowMs: ms
                .min(1, 'expected a number of ms >= 1')
                .describe('The rate is measured over the last ms (default 3000)')
                .optional(),
              /** `keep` (default): a committed answer streams on however slowly; `continue`: it is continued elsewhere. */
              afterCommit: z
                .enum(['keep', 'continue'])
                .describe(
                  'keep (default): a committed answer streams on however slowly; continue: it is continued elsewhere',
                )
                .optional(),
            }),
          ],
          { error: 'expected a number of tokens per second or an object' },
        )
        .describe(
          'The slow-stream guard (off by default): a stream crawling below the floor is abandoned before the commit point and the call goes on elsewhere',
        )
        .optional(),
      /** How many times one answer may be continued after interruptions. */
      maxContinuations: z.number().int().min(0, 'expected an integer >= 0').optional(),
      /**
       * When the upstream is asked for a stream: `always` (default; a non-streaming call is
       * streamed and assembled, so the first-token and idle timeouts apply), or only
       * `when-streaming` (a non-streaming call gets one JSON body: cheaper, but a silent model
       * is caught only at the attempt total).
       */
      upstream: z
        .enum(UPSTREAM_STREAMING, {
          error: `expected ${UPSTREAM_STREAMING.map((m) => `'${m}'`).join(' or ')}`,
        })
        .optional(),
    }),
  ],
  { error: `expected ${ON_INTERRUPT.map((m) => `'${m}'`).join(', ')} or an object` },
);

export const modelInfoSchema = z.strictObject({
  contextWindow: positiveInt.min(1, 'expected a positive integer').optional(),
  maxOutputTokens: positiveInt.min(1, 'expected a positive integer').optional(),
  /** Whether the model continues an assistant prefill (newer Claude models reject it). */
  prefill: z.boolean().optional(),
  inputCostPerMtok: z.number().min(0).optional(),
  outputCostPerMtok: z.number().min(0).optional(),
  /**
   * An embedding model's family: models of one family give interchangeable vectors (the same
   * model deployed at several providers). A route may only mix targets of one family.
   */
  family: z.string({ error: 'expected a string' }).min(1, 'expected a family name').optional(),
});

/** A pino-compatible logger: only the level methods are used. */
export interface LoggerLike {
  warn(obj: object, msg?: string): void;
  error?(obj: object, msg?: string): void;
  info?(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}
const loggerSchema = z.custom<LoggerLike>(
  (v) => typeof v === 'object' && v !== null && typeof (v as { warn?: unknown }).warn === 'function',
  'expected a pino-compatible logger (an object with a warn method)',
);
const listenerSchema = z.custom<(event: never) => void>(
  (v) => typeof v === 'function',
  'expected a function',
);

export const clientOptionsSchema = z.strictObject({
  providers: z
    .record(z.string(), providerSchema, { error: 'expected an object of providers' })
    .refine((p) => Object.keys(p).length > 0, 'expected at least one provider'),
  routes: z.record(z.string(), routeSchema).optional(),
  retry: retrySchema.optional(),
  timeout: timeoutSchema.optional(),
  breaker: breakerSchema.optional(),
  stream: streamSchema.optional(),
  models: z.record(z.string(), modelInfoSchema).optional(),
  /**
   * Rate-limit-aware pacing (default true): a target whose own rate-limit headers say a limit is
   * spent gets no calls before it has room again; they go to another target or wait, as for a
   * cooldown. A target that sends no such headers behaves the same either way.
   */
  pacing: z
    .boolean({ error: 'expected true or false' })
    .describe(
      "Rate-limit-aware pacing (default true): read every answer's x-ratelimit-* / anthropic-ratelimit-* headers and send a target no calls while they say a limit is spent (remaining 0, or fewer tokens left than the prompt's estimate) until it has room again",
    )
    .optional(),
  logger: loggerSchema.optional(),
  on: listenerSchema.optional(),
});

export type ClientOptionsInput = z.input<typeof clientOptionsSchema>;
export type HedgeInput = z.output<typeof hedgeSchema>;
export type SlowFloorInput = NonNullable<Extract<z.output<typeof streamSchema>, object>['slowFloor']>;
export type ProviderConfig = z.output<typeof providerSchema>;
export type ModelInfoInput = z.output<typeof modelInfoSchema>;

export { parseOptions } from './parse-options.ts';
