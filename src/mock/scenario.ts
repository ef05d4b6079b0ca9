/**
 * The scenario model: how each model behaves (latency, answer length, prefill) and which
 * faults it suffers, when, and how often. Validated with zod at the trust boundary (files,
 * `POST /_mock/scenario`); errors name the path and the problem.
 */
import { z } from 'zod';
import { leafOf } from '../errors/zod-issues.ts';
import { formatChoice } from './continuation-format.ts';
import {
  type ContinuationBehaviour,
  type ContinuationConfig,
  ContinuationSpecError,
  type ContinueMode,
  parseContinuationSpec,
} from './continuation-spec.ts';
import { parseDurationMs } from './duration.ts';
import { type Fault, FaultSpecError, parseFaultSpec } from './fault-spec.ts';

const nonNegative = z.number().finite().min(0);
const count = z.number().int().min(0);

const durationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDurationMs(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration (ms number, or 1500ms, 2s, 1m)` });
    return z.NEVER;
  }
  return ms;
});

const on = { on: z.enum(['first', 'continuation']).optional() };

const httpFaultSchema = z.strictObject({
  ...on,
  type: z.literal('http'),
  status: z.number().int().min(400).max(599),
  variant: z.enum(['generic', 'context_length', 'content_filter', 'prefill_rejected']).optional(),
  retryAfter: nonNegative.optional(),
  retryAfterMs: nonNegative.optional(),
  resetMs: nonNegative.optional(),
  shouldRetry: z.boolean().optional(),
  message: z.string().optional(),
});

const faultObjectSchema = z.discriminatedUnion('type', [
  httpFaultSchema,
  z.strictObject({ ...on, type: z.literal('reset') }),
  z.strictObject({ ...on, type: z.literal('hang') }),
  z.strictObject({ ...on, type: z.literal('silence') }),
  z.strictObject({ ...on, type: z.literal('no_terminal') }),
  z.strictObject({
    ...on,
    type: z.literal('slow'),
    firstTokenMs: nonNegative.optional(),
    tokenMs: nonNegative.optional(),
  }),
  z.strictObject({ ...on, type: z.literal('cut'), after: count }),
  z.strictObject({ ...on, type: z.literal('stall'), after: count, ms: nonNegative.optional() }),
  z.strictObject({ ...on, type: z.literal('malformed'), at: count }),
  z.strictObject({
    ...on,
    type: z.literal('error_event'),
    at: count,
    error: z.enum(['overloaded', 'rate_limited', 'server']).optional(),
  }),
  z.strictObject({ ...on, type: z.literal('cut_before_stop') }),
  z.strictObject({ ...on, type: z.literal('cut_after_stop'), usage: z.boolean().optional() }),
  z.strictObject({ ...on, type: z.literal('cut_in_tool'), args: count }),
]);

const faultTextSchema = z.string().transform((text, ctx) => {
  try {
    const parsed = parseFaultSpec(text);
    if (parsed.times !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'write times as a rule field (times: N), not inside the fault',
      });
      return z.NEVER;
    }
    return parsed.faults;
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: error instanceof FaultSpecError ? error.message : String(error),
    });
    return z.NEVER;
  }
});

/** A fault as a scenario writes it: header syntax (`"429 retry-after=2"`), an object, or a list of either. */
const faultInputSchema = z
  .preprocess(
    (value) => (Array.isArray(value) ? value : [value]),
    z.array(z.union([faultTextSchema, faultObjectSchema])).min(1),
  )
  .transform((items): Fault[] => items.flat() as Fault[]);

/** Where each key of a continuation object puts its behaviour; a text key names its mode. */
const CONTINUATION_KEYS: Readonly<Record<string, { forced: ContinueMode | 'complete'; complete: boolean }>> =
  {
    prefill: { forced: 'prefill', complete: false },
    continue: { forced: 'continue', complete: false },
    complete: { forced: 'complete', complete: true },
    // The parsed form, as `mock.scenario()` returns it, is checked by writing it back as text.
    prefillComplete: { forced: 'prefill', complete: true },
    continueComplete: { forced: 'continue', complete: true },
  };

/**
 * How the model answers a continuation: header syntax (`"full_restart on=continue; prefill_ignored"`),
 * or an object naming each mode (`{prefill: prefill_ignored, continue: full_restart, complete: complete_note}`).
 */
const continuationSchema = z.unknown().transform((value, ctx): ContinuationConfig => {
  const parse = (text: string, forced: ContinueMode | 'complete' | undefined, path: string[]) => {
    try {
      return parseContinuationSpec(text, forced);
    } catch (error) {
      const message = error instanceof ContinuationSpecError ? error.message : String(error);
      ctx.addIssue({ code: 'custom', message, path });
      return {};
    }
  };
  if (typeof value === 'string') return parse(value, undefined, []);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: 'expected continuation text or {prefill, continue, complete}' });
    return z.NEVER;
  }
  let config: ContinuationConfig = {};
  for (const [key, item] of Object.entries(value)) {
    const slot = CONTINUATION_KEYS[key];
    if (!slot) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown key "${key}" (prefill, continue, complete)`,
        path: [key],
      });
      continue;
    }
    if (item === undefined) continue;
    let text: string;
    let forced: ContinueMode | 'complete' | undefined = slot.forced;
    if (typeof item === 'string') text = item;
    else if (
      typeof item === 'object' &&
      item !== null &&
      typeof (item as { type?: unknown }).type === 'string'
    ) {
      // A parsed behaviour or mix: written back as clauses for the key's mode.
      text = formatChoice(
        item as ContinuationBehaviour,
        slot.forced === 'continue' ? 'continue' : 'prefill',
        slot.complete,
      );
      if (slot.forced === 'complete') {
        ctx.addIssue({ code: 'custom', message: 'expected behaviour text', path: [key] });
        continue;
      }
      forced = undefined;
    } else {
      ctx.addIssue({ code: 'custom', message: 'expected behaviour text', path: [key] });
      continue;
    }
    config = { ...config, ...parse(text, forced, [key]) };
  }
  return config;
});

const ruleObjectSchema = z
  .strictObject({
    fault: faultInputSchema,
    /** Chance (0–1) that a request the rule covers gets the fault; drawn from the seed. Default 1. */
    probability: z.number().min(0).max(1).optional(),
    /** Window start, from server start or the last reset. */
    from: durationSchema.optional(),
    /** Window end (exclusive). */
    to: durationSchema.optional(),
    /** Applies to the first N requests it covers, then never again (until reset). */
    times: z.number().int().min(1).optional(),
    /** Only requests that continue an answer (`continuation`), or only those that do not (`first`). */
    on: z.enum(['first', 'continuation']).optional(),
  })
  .refine((rule) => rule.from === undefined || rule.to === undefined || rule.to > rule.from, {
    message: '`to` must be after `from`',
    path: ['to'],
  });

// A bare fault (text, list, or object with a `type`) is shorthand for a rule that always applies.
const ruleSchema = z.preprocess(
  (value) =>
    typeof value === 'string' ||
    Array.isArray(value) ||
    (typeof value === 'object' && value !== null && 'type' in value)
      ? { fault: value }
      : value,
  ruleObjectSchema,
);

const modelSchema = z.strictObject({
  /** Delay before the first token (stream) or before the whole answer adds tokens × tokenMs (non-stream). */
  firstTokenMs: nonNegative.optional(),
  tokenMs: nonNegative.optional(),
  /** Natural answer length in tokens: a number or [min, max], drawn per prompt. */
  answerTokens: z.union([count.min(1), z.tuple([count.min(1), count.min(1)])]).optional(),
  /** Answer a trailing assistant turn with the 400 newer Claude models return. */
  rejectsPrefill: z.boolean().optional(),
  /** Prompts estimated larger than this (tokens) get a context-length 400. */
  contextWindow: count.min(1).optional(),
  /** Seed text as if this model answered: models sharing it give the same answers. */
  textKey: z.string().min(1).optional(),
  /** How it answers a prefill or a "continue" turn (see the README's "Continuations"). */
  continuation: continuationSchema.optional(),
  /** Text it writes before a tool call, as Claude does ("I'll look that up."). */
  toolPreamble: z.string().optional(),
  /** `forced` (default): calls a tool only when tool_choice forces one; `auto`: also calls the first offered tool for a new question. */
  toolCalls: z.enum(['forced', 'auto']).optional(),
  /**
   * A request limiter in front of the model: a token bucket per model name. A request that
   * finds no token gets the format's 429 with `retry-after` (whole seconds, rounded up) until
   * the next token; a refused request takes none. Checked before any fault rule.
   */
  rateLimit: z
    .strictObject({
      /** Requests the bucket holds: a burst this large is served at once. */
      capacity: count.min(1),
      /** Tokens added per second, continuously. */
      refillPerSecond: z.number().finite().positive(),
      /** Also send `retry-after-ms` with the exact wait (the official SDKs read it before `retry-after`). */
      retryAfterMs: z.boolean().optional(),
    })
    .optional(),
  faults: z.array(ruleSchema).optional(),
});

export const scenarioSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  /** Seed for fault draws and text; the `seed` option wins. */
  seed: z.number().int().optional(),
  /** Behaviour of every model, under its own entry. */
  defaults: modelSchema.omit({ faults: true }).optional(),
  /** Per model; the key `*` matches every model. */
  models: z.record(z.string(), modelSchema).optional(),
  /** Rules for every model, checked after the model's own. */
  faults: z.array(ruleSchema).optional(),
  /** Unknown models get a 404 instead of healthy answers. */
  strictModels: z.boolean().optional(),
});

/** What a scenario file or object may contain (before defaults and shorthands are resolved). */
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type ModelConfig = z.output<typeof modelSchema>;
export type ModelConfigInput = z.input<typeof modelSchema>;
export type FaultRule = z.output<typeof ruleObjectSchema>;

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

/** Validates a scenario; throws ScenarioError listing each problem as `path: problem`. */
export function parseScenario(input: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const leaf = leafOf(issue);
    return `${formatPath(leaf.path)}: ${leaf.message}`;
  });
  throw new ScenarioError(`invalid ${source}:\n  ${lines.join('\n  ')}`);
}
