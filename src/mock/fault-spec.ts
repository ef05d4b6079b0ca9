/**
 * The faults the mock can inject, as data, and the one-line text syntax used by the
 * `x-mock-fault` header and accepted anywhere a scenario names a fault.
 *
 * Syntax: faults separated by `;`, each a name (or an HTTP status) followed by `key=value`
 * parameters, e.g. `429 retry-after=2`, `cut after=5`, `slow_tokens ms=50; cut after=10`.
 * The full list is in src/mock/README.md.
 */
import { parseDurationMs } from './duration.ts';

/** How a 400 explains itself. */
export type BadRequestVariant = 'generic' | 'context_length' | 'content_filter' | 'prefill_rejected';

export interface HttpFault {
  type: 'http';
  status: number;
  /**
   * A 400 variant, or `quota`: the account's credit or quota is spent, as each provider says it
   * (its own status: Anthropic 400, OpenAI and Gemini 429).
   */
  variant?: BadRequestVariant | 'quota';
  /** `retry-after` header, in seconds. */
  retryAfter?: number;
  /** `retry-after-ms` header. */
  retryAfterMs?: number;
  /** Rate-limit reset headers saying the limit resets this many ms from now. */
  resetMs?: number;
  /** `x-should-retry` header. */
  shouldRetry?: boolean;
  /** Replaces the provider message. */
  message?: string;
}

/** What an in-band stream error says it is. */
export type StreamErrorKind = 'overloaded' | 'rate_limited' | 'server';

/** Which requests a fault strikes: only continuations of an answer, or only requests that are not. */
export type FaultOn = 'first' | 'continuation';

export type Fault = (
  | HttpFault
  /** TCP reset before any header (`socket.resetAndDestroy()`). */
  | { type: 'reset' }
  /** Accepted and never answered: no headers, no body, socket left open. */
  | { type: 'hang' }
  /** Status 200 and headers, then nothing. */
  | { type: 'silence' }
  /** Latency: delay before the first token and/or between tokens. */
  | { type: 'slow'; firstTokenMs?: number; tokenMs?: number }
  /** The socket is destroyed after N tokens, without a terminal event or chunked terminator. */
  | { type: 'cut'; after: number }
  /** No bytes for `ms` after N tokens (forever when `ms` is absent), then the rest. */
  | { type: 'stall'; after: number; ms?: number }
  /** An event with a broken JSON payload inserted after N tokens; the rest follows intact. */
  | { type: 'malformed'; at: number }
  /** The provider's in-band error event after N tokens, then the body ends. */
  | { type: 'error_event'; at: number; error?: StreamErrorKind }
  /** Everything but the terminal event: OpenAI's `data: [DONE]`, Anthropic's `message_stop`, Gemini's final chunk. */
  | { type: 'no_terminal' }
  /** Every token, then the socket destroyed before any closing event: the stop reason never arrives. */
  | { type: 'cut_before_stop' }
  /**
   * The stop reason sent (OpenAI's finish chunk and usage, Anthropic's `message_delta`, Gemini's
   * finishReason chunk), then the socket destroyed: no `[DONE]`, no `message_stop`, no end of body.
   * `usage: false`: OpenAI's usage chunk is lost too.
   */
  | { type: 'cut_after_stop'; usage?: boolean }
  /** The socket destroyed inside the first tool call, after `args` pieces of its JSON arguments. */
  | { type: 'cut_in_tool'; args: number }
) & {
  /** Strikes only these requests; every request when absent. */
  on?: FaultOn;
};

export type FaultType = Fault['type'];

export class FaultSpecError extends Error {
  override readonly name = 'FaultSpecError';
}

/** Statuses with a real body shape behind them; any other 4xx/5xx is served as a generic error. */
export const KNOWN_STATUSES = [400, 401, 403, 404, 413, 429, 500, 502, 503, 504, 529] as const;

const VARIANT_NAMES: Readonly<Record<string, BadRequestVariant>> = {
  context_length: 'context_length',
  content_filter: 'content_filter',
  prefill_rejected: 'prefill_rejected',
};

const ALIASES: Readonly<Record<string, string>> = {
  rst: 'reset',
  refused_headers: 'reset',
  never_answer: 'hang',
  headers_then_silence: 'silence',
  missing_done: 'no_terminal',
  missing_stop: 'no_terminal',
  in_band_error: 'error_event',
  overloaded_event: 'error_event',
  no_stop_reason: 'cut_before_stop',
  lost_terminal: 'cut_after_stop',
  cut_in_tool_args: 'cut_in_tool',
};

function fail(spec: string, problem: string): never {
  throw new FaultSpecError(`invalid fault "${spec}": ${problem}`);
}

type Params = Map<string, string>;

function readParams(spec: string, words: string[]): Params {
  const params: Params = new Map();
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq <= 0) fail(spec, `"${word}" is not key=value`);
    params.set(word.slice(0, eq).toLowerCase().replaceAll('_', '-'), word.slice(eq + 1));
  }
  return params;
}

function take(params: Params, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = params.get(key);
    if (value !== undefined) {
      params.delete(key);
      return value;
    }
  }
  return undefined;
}

function duration(spec: string, params: Params, ...keys: string[]): number | undefined {
  const raw = take(params, ...keys);
  if (raw === undefined) return undefined;
  const ms = parseDurationMs(raw);
  if (ms === undefined) fail(spec, `${keys[0]}=${raw} is not a duration (1500, 1500ms, 2s)`);
  return ms;
}

function count(spec: string, params: Params, ...keys: string[]): number | undefined {
  const raw = take(params, ...keys);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) fail(spec, `${keys[0]}=${raw} is not a whole number ≥ 0`);
  return n;
}

function seconds(spec: string, params: Params, key: string): number | undefined {
  const raw = take(params, key);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) fail(spec, `${key}=${raw} is not a number of seconds ≥ 0`);
  return n;
}

function httpFault(spec: string, status: number, params: Params, variant?: BadRequestVariant): HttpFault {
  const fault: HttpFault = { type: 'http', status };
  const v = variant ?? (take(params, 'variant') as BadRequestVariant | undefined);
  if (v !== undefined) {
    if (!Object.values(VARIANT_NAMES).includes(v) && v !== 'generic') fail(spec, `unknown variant ${v}`);
    if (status !== 400) fail(spec, `variant ${v} needs status 400`);
    fault.variant = v;
  }
  const retryAfter = seconds(spec, params, 'retry-after');
  if (retryAfter !== undefined) fault.retryAfter = retryAfter;
  const retryAfterMs = duration(spec, params, 'retry-after-ms');
  if (retryAfterMs !== undefined) fault.retryAfterMs = retryAfterMs;
  const resetMs = duration(spec, params, 'reset', 'reset-ms');
  if (resetMs !== undefined) fault.resetMs = resetMs;
  const shouldRetry = take(params, 'should-retry');
  if (shouldRetry !== undefined) {
    if (shouldRetry !== 'true' && shouldRetry !== 'false') fail(spec, 'should-retry must be true or false');
    fault.shouldRetry = shouldRetry === 'true';
  }
  const message = take(params, 'message');
  if (message !== undefined) fault.message = message.replaceAll('+', ' ');
  return fault;
}

function parseOne(spec: string): Fault {
  const words = spec
    .trim()
    .split(/[\s,]+/)
    .filter(Boolean);
  const head = words.shift();
  if (head === undefined) fail(spec, 'empty');
  const params = readParams(spec, words);
  const lower = head.toLowerCase().replaceAll('-', '_');
  const name = ALIASES[lower] ?? lower;
  let fault: Fault;
  if (/^\d{3}$/.test(name)) {
    const status = Number(name);
    if (status < 400 || status > 599) fail(spec, `status ${status} is not an error status (400–599)`);
    fault = httpFault(spec, status, params);
  } else if (name in VARIANT_NAMES) {
    fault = httpFault(spec, 400, params, VARIANT_NAMES[name]);
  } else if (name === 'quota' || name === 'insufficient_quota') {
    fault = { ...httpFault(spec, 429, params), variant: 'quota' };
  } else {
    switch (name) {
      case 'reset':
      case 'hang':
      case 'silence':
      case 'no_terminal':
      case 'cut_before_stop':
        fault = { type: name };
        break;
      case 'cut_after_stop': {
        const usage = take(params, 'usage');
        if (usage !== undefined && usage !== 'true' && usage !== 'false')
          fail(spec, 'usage must be true or false');
        fault = usage === undefined ? { type: name } : { type: name, usage: usage === 'true' };
        break;
      }
      case 'cut_in_tool':
        fault = { type: name, args: count(spec, params, 'args', 'after', 'n') ?? 1 };
        break;
      case 'slow_first_token':
        fault = { type: 'slow', firstTokenMs: duration(spec, params, 'ms') ?? fail(spec, 'needs ms=') };
        break;
      case 'slow_tokens':
        fault = { type: 'slow', tokenMs: duration(spec, params, 'ms') ?? fail(spec, 'needs ms=') };
        break;
      case 'slow': {
        const firstTokenMs = duration(spec, params, 'first', 'first-token-ms', 'first-token');
        const tokenMs = duration(spec, params, 'token', 'token-ms', 'tokens');
        if (firstTokenMs === undefined && tokenMs === undefined) fail(spec, 'needs first= and/or token=');
        fault = {
          type: 'slow',
          ...(firstTokenMs === undefined ? {} : { firstTokenMs }),
          ...(tokenMs === undefined ? {} : { tokenMs }),
        };
        break;
      }
      case 'cut':
        fault = { type: 'cut', after: count(spec, params, 'after', 'n', 'at') ?? fail(spec, 'needs after=') };
        break;
      case 'stall': {
        const after = count(spec, params, 'after', 'n', 'at') ?? fail(spec, 'needs after=');
        const ms = duration(spec, params, 'ms', 'for');
        fault = ms === undefined ? { type: 'stall', after } : { type: 'stall', after, ms };
        break;
      }
      case 'malformed':
        fault = { type: 'malformed', at: count(spec, params, 'at', 'after', 'n') ?? fail(spec, 'needs at=') };
        break;
      case 'error_event': {
        const at = count(spec, params, 'at', 'after', 'n') ?? 0;
        const error = take(params, 'error', 'kind');
        if (error !== undefined && error !== 'overloaded' && error !== 'rate_limited' && error !== 'server')
          fail(spec, `error=${error} is not overloaded, rate_limited or server`);
        fault = error === undefined ? { type: 'error_event', at } : { type: 'error_event', at, error };
        break;
      }
      default:
        fail(spec, `unknown fault "${head}"`);
    }
  }
  const on = take(params, 'on');
  if (on !== undefined) {
    if (on !== 'first' && on !== 'continuation') fail(spec, `on=${on} is not first or continuation`);
    fault.on = on;
  }
  const leftover = [...params.keys()];
  if (leftover.length > 0) fail(spec, `unknown parameter ${leftover.join(', ')}`);
  return fault;
}

/** Parsed faults and the `times=N` the text carried (header faults only count it). */
export interface ParsedFaultSpec {
  faults: Fault[];
  times?: number;
}

/** Parses `x-mock-fault` text. Throws FaultSpecError naming the problem. */
export function parseFaultSpec(spec: string): ParsedFaultSpec {
  const faults: Fault[] = [];
  let times: number | undefined;
  for (const part of spec.split(';')) {
    if (part.trim() === '') continue;
    // `times` belongs to the whole spec, not one fault: lift it out before parsing.
    const words = part.trim().split(/[\s,]+/);
    const kept = words.filter((word) => {
      const m = /^times=(.*)$/i.exec(word);
      if (!m) return true;
      const n = Number(m[1]);
      if (!Number.isInteger(n) || n < 1) fail(spec, `times=${m[1]} is not a whole number ≥ 1`);
      times = n;
      return false;
    });
    faults.push(parseOne(kept.join(' ')));
  }
  if (faults.length === 0) fail(spec, 'empty');
  return times === undefined ? { faults } : { faults, times };
}

/** The one-line text of a fault, as the log shows it (parseable back). */
export function formatFault(fault: Fault): string {
  const text = formatBare(fault);
  return fault.on === undefined ? text : `${text} on=${fault.on}`;
}

function formatBare(fault: Fault): string {
  switch (fault.type) {
    case 'http': {
      const head = fault.variant && fault.variant !== 'generic' ? fault.variant : String(fault.status);
      const bits = [head];
      if (fault.retryAfter !== undefined) bits.push(`retry-after=${fault.retryAfter}`);
      if (fault.retryAfterMs !== undefined) bits.push(`retry-after-ms=${fault.retryAfterMs}`);
      if (fault.resetMs !== undefined) bits.push(`reset=${fault.resetMs}ms`);
      if (fault.shouldRetry !== undefined) bits.push(`should-retry=${fault.shouldRetry}`);
      return bits.join(' ');
    }
    case 'slow': {
      const bits = ['slow'];
      if (fault.firstTokenMs !== undefined) bits.push(`first=${fault.firstTokenMs}ms`);
      if (fault.tokenMs !== undefined) bits.push(`token=${fault.tokenMs}ms`);
      return bits.join(' ');
    }
    case 'cut':
      return `cut after=${fault.after}`;
    case 'stall':
      return fault.ms === undefined
        ? `stall after=${fault.after}`
        : `stall after=${fault.after} ms=${fault.ms}`;
    case 'malformed':
      return `malformed at=${fault.at}`;
    case 'error_event':
      return fault.error === undefined
        ? `error_event at=${fault.at}`
        : `error_event at=${fault.at} error=${fault.error}`;
    case 'cut_after_stop':
      return fault.usage === undefined ? fault.type : `${fault.type} usage=${fault.usage}`;
    case 'cut_in_tool':
      return `cut_in_tool args=${fault.args}`;
    default:
      return fault.type;
  }
}

export function formatFaults(faults: readonly Fault[]): string {
  return faults.map(formatFault).join('; ');
}
