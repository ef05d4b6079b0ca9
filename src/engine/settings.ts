/**
 * Validated options turned into the settings the engine runs on, with every default
 * (README "Defaults"; docs/architecture.md) filled in.
 */
import { OutlastError, SPECIFIC_CODES } from '../errors/index.ts';
import type { CircuitBreakerOptions, Jitter, RetryBudgetOptions } from '../policy/index.ts';
import {
  type ClientOptionsInput,
  clientOptionsSchema,
  type HedgeInput,
  type LoggerLike,
  type OnInterrupt,
  type ProviderConfig,
  parseOptions,
  type SlowFloorInput,
  type TimeoutOption,
  type UpstreamStreaming,
} from './config.ts';
import { routeFamilyProblem } from './embedding-family.ts';
import type { EngineEvent } from './events.ts';
import { unknownRouteProviders } from './known-names.ts';
import { createModelTable, type ModelTable } from './models.ts';
import { flattenRoute, type RouteGroup } from './route-entries.ts';
import { targetOf } from './routes.ts';

export interface RetrySettings {
  /** Attempts per target, the first included. */
  readonly attempts: number;
  readonly baseMs: number;
  readonly capMs: number;
  readonly jitter: Jitter;
  readonly maxHintMs: number;
  /** A hint up to this long is waited out on the same target before falling back. */
  readonly hintWaitMs: number;
  /** When every target is cooling, the longest a call waits for the soonest. */
  readonly cooldownWaitMs: number;
  /** `false`: no retry budget. */
  readonly budget: RetryBudgetOptions | false;
}

/** A route's hedging, with its defaults filled in. */
export interface HedgeSettings {
  readonly after: 'p95' | number;
  readonly maxRatio: number;
  readonly windowMs: number;
  readonly fallbackMs: number | undefined;
  readonly minSamples: number;
}

export const HEDGE_DEFAULTS = { maxRatio: 0.05, windowMs: 60_000, minSamples: 20 } as const;

/** The slow-stream guard; absent: off. */
export interface SlowStreamSettings {
  /** 0: no absolute floor. */
  readonly tokensPerSecond: number;
  /** 0: no relative rule. */
  readonly relative: number;
  readonly graceMs: number;
  readonly windowMs: number;
  readonly afterCommit: 'keep' | 'continue';
}

export const SLOW_STREAM_DEFAULTS = { graceMs: 3000, windowMs: 3000 } as const;

export interface RouteSettings {
  /** Every target, group members included, in the route's order. */
  readonly targets: readonly string[];
  /** The spans of `targets` that are balanced groups. */
  readonly groups: readonly RouteGroup[];
  readonly hedge?: HedgeSettings;
  readonly fallbackOnContentFilter: boolean;
  /** The route's own hint wait (0 when it prefers the fastest answer); the retry setting's otherwise. */
  readonly hintWaitMs?: number;
}

export interface StreamSettings {
  readonly onInterrupt: OnInterrupt;
  readonly maxContinuations: number;
  /** Tool calls reach the caller whole (argument deltas held until the block ends). */
  readonly atomicToolCalls: boolean;
  /** Whether a non-streaming call is streamed from the upstream (`always`) or fetched as one JSON body. */
  readonly upstream: UpstreamStreaming;
  readonly slowFloor?: SlowStreamSettings;
}

export interface EngineSettings {
  readonly providers: Readonly<Record<string, ProviderConfig>>;
  readonly routes: Readonly<Record<string, RouteSettings>>;
  readonly retry: RetrySettings;
  readonly timeout: TimeoutOption;
  /** `false`: breakers disabled. */
  readonly breaker: Omit<CircuitBreakerOptions, 'key' | 'store' | 'clock'> | false;
  readonly stream: StreamSettings;
  readonly models: ModelTable;
  /** Rate-limit-aware pacing from the targets' own headers. */
  readonly pacing: boolean;
  readonly logger: LoggerLike | undefined;
  readonly on: ((event: EngineEvent) => void) | undefined;
}

export const RETRY_DEFAULTS: RetrySettings = {
  attempts: 2,
  baseMs: 500,
  capMs: 8000,
  jitter: 'equal',
  maxHintMs: 60_000,
  hintWaitMs: 5000,
  cooldownWaitMs: 10_000,
  budget: { ratio: 0.1, windowMs: 60_000, minRetriesPerWindow: 10 },
};

export const STREAM_DEFAULTS: StreamSettings = {
  onInterrupt: 'continue',
  maxContinuations: 2,
  atomicToolCalls: true,
  upstream: 'always',
};

function hedgeSettings(hedge: Exclude<HedgeInput, false>): HedgeSettings {
  return {
    after: hedge.after,
    maxRatio: hedge.maxRatio ?? HEDGE_DEFAULTS.maxRatio,
    windowMs: hedge.windowMs ?? HEDGE_DEFAULTS.windowMs,
    fallbackMs: hedge.fallbackMs,
    minSamples: hedge.minSamples ?? HEDGE_DEFAULTS.minSamples,
  };
}

function slowStreamSettings(input: SlowFloorInput | undefined): { slowFloor?: SlowStreamSettings } {
  if (input === undefined) return {};
  const rule = typeof input === 'number' ? { tokensPerSecond: input } : input;
  if (rule.tokensPerSecond === undefined && rule.relative === undefined)
    parseOptionsFailure(
      'stream.slowFloor: expected tokensPerSecond or relative (a floor to hold streams to)',
    );
  return {
    slowFloor: {
      tokensPerSecond: rule.tokensPerSecond ?? 0,
      relative: rule.relative ?? 0,
      graceMs: rule.graceMs ?? SLOW_STREAM_DEFAULTS.graceMs,
      windowMs: rule.windowMs ?? SLOW_STREAM_DEFAULTS.windowMs,
      afterCommit: rule.afterCommit ?? 'keep',
    },
  };
}

/** Validates `createClient` options (throws an OutlastError naming each bad option) and fills defaults. */
export function resolveSettings(input: unknown): EngineSettings {
  const options = parseOptions(clientOptionsSchema, input);
  const retry = options.retry;
  const retrySettings: RetrySettings =
    retry === undefined
      ? RETRY_DEFAULTS
      : retry === false
        ? { ...RETRY_DEFAULTS, attempts: 1 }
        : typeof retry === 'number'
          ? { ...RETRY_DEFAULTS, attempts: retry }
          : {
              attempts: retry.attempts ?? RETRY_DEFAULTS.attempts,
              baseMs: retry.baseMs ?? RETRY_DEFAULTS.baseMs,
              capMs: Math.max(retry.capMs ?? RETRY_DEFAULTS.capMs, retry.baseMs ?? 0),
              jitter: retry.jitter ?? RETRY_DEFAULTS.jitter,
              maxHintMs: retry.maxHintMs ?? RETRY_DEFAULTS.maxHintMs,
              hintWaitMs: retry.hintWaitMs ?? RETRY_DEFAULTS.hintWaitMs,
              cooldownWaitMs: retry.cooldownWaitMs ?? RETRY_DEFAULTS.cooldownWaitMs,
              budget:
                retry.budget === false
                  ? false
                  : { ...(RETRY_DEFAULTS.budget as RetryBudgetOptions), ...(retry.budget ?? {}) },
            };
  const routes: Record<string, RouteSettings> = {};
  for (const [name, route] of Object.entries(options.routes ?? {})) {
    const { targets, groups } = flattenRoute(name, route);
    routes[name] = Array.isArray(route)
      ? { targets, groups, fallbackOnContentFilter: false }
      : {
          targets,
          groups,
          fallbackOnContentFilter: route.fallbackOnContentFilter ?? false,
          ...(route.hedge ? { hedge: hedgeSettings(route.hedge) } : {}),
          ...(route.prefer === 'fastest'
            ? { hintWaitMs: 0 }
            : route.hintWaitMs === undefined
              ? {}
              : { hintWaitMs: route.hintWaitMs }),
        };
  }
  const notResponses = Object.entries(options.providers)
    .filter(([, p]) => p.responses === true && p.type !== 'openai')
    .map(
      ([name, p]) =>
        `providers.${name}.responses: only an openai provider can be OpenAI's Responses API, got type ${p.type}`,
    );
  if (notResponses.length > 0) parseOptionsFailure(notResponses.join('; '));
  const unknownProviders = unknownRouteProviders(options.routes, Object.keys(options.providers));
  if (unknownProviders.length > 0) parseOptionsFailure(unknownProviders.join('; '));
  const models = createModelTable(options.models ?? {});
  const mixed = Object.entries(routes).flatMap(([name, route]) => {
    const problem = routeFamilyProblem(name, route.targets.map(targetOf), models);
    return problem === undefined ? [] : [problem];
  });
  if (mixed.length > 0) parseOptionsFailure(mixed.join('; '));
  const stream = options.stream;
  return {
    providers: options.providers,
    routes,
    retry: retrySettings,
    timeout: options.timeout ?? 'auto',
    breaker: options.breaker ?? {},
    stream:
      stream === undefined
        ? STREAM_DEFAULTS
        : typeof stream === 'string'
          ? { ...STREAM_DEFAULTS, onInterrupt: stream }
          : {
              onInterrupt: stream.onInterrupt ?? STREAM_DEFAULTS.onInterrupt,
              maxContinuations: stream.maxContinuations ?? STREAM_DEFAULTS.maxContinuations,
              atomicToolCalls: stream.atomicToolCalls ?? STREAM_DEFAULTS.atomicToolCalls,
              upstream: stream.upstream ?? STREAM_DEFAULTS.upstream,
              ...slowStreamSettings(stream.slowFloor),
            },
    models,
    pacing: options.pacing ?? true,
    logger: options.logger,
    on: options.on as ((event: EngineEvent) => void) | undefined,
  };
}

/** Same error as a schema failure, for cross-field checks the schema cannot express. */
function parseOptionsFailure(message: string): never {
  throw new OutlastError({ kind: 'bad_request', code: SPECIFIC_CODES.INVALID_OPTIONS, message });
}

export type { ClientOptionsInput };
