/**
 * What the server said about when to try again, read from response headers. Providers give
 * it several ways; the first that parses wins, in the order the official SDKs use. No cap
 * here: whether a hint is too long to honour is the backoff planner's call.
 */
export interface ServerHint {
  /** How long the server asks us to wait, in ms from `nowMs`. */
  retryAfterMs?: number;
  /** `x-should-retry`: the server's own verdict, which overrides the status. */
  shouldRetry?: boolean;
  /** The header the wait came from, for traces (`retry-after`, `anthropic-ratelimit-tokens-reset`). */
  source?: string;
}

const DELTA_SECONDS = /^\d+(?:\.\d+)?$/;
// An HTTP date in any of its three historic forms always has letters and a hh:mm:ss time.
const HTTP_DATE = /^[a-z]{3}.*\d{1,2}:\d{2}:\d{2}/i;
const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g;
const DURATION_WHOLE = /^(?:\d+(?:\.\d+)?(?:h|ms|m|s|us|µs|ns))+$/;
const UNIT_MS: Readonly<Record<string, number>> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 1e-3,
  µs: 1e-3,
  ns: 1e-6,
};

const ANTHROPIC_LIMITS = ['requests', 'tokens', 'input-tokens', 'output-tokens'] as const;
const OPENAI_LIMITS = ['requests', 'tokens'] as const;

export function readServerHint(get: (name: string) => string | undefined, nowMs: number): ServerHint {
  const hint: ServerHint = {};
  const shouldRetry = get('x-should-retry')?.trim().toLowerCase();
  if (shouldRetry === 'true') hint.shouldRetry = true;
  else if (shouldRetry === 'false') hint.shouldRetry = false;

  const wait = readWait(get, nowMs);
  if (wait) {
    hint.retryAfterMs = wait.ms;
    hint.source = wait.source;
  } else if (hint.shouldRetry !== undefined) {
    hint.source = 'x-should-retry';
  }
  return hint;
}

function readWait(
  get: (name: string) => string | undefined,
  nowMs: number,
): { ms: number; source: string } | undefined {
  const ms = parseDecimal(get('retry-after-ms'));
  if (ms !== undefined) return { ms, source: 'retry-after-ms' };

  const retryAfter = parseRetryAfter(get('retry-after'), nowMs);
  if (retryAfter !== undefined) return { ms: retryAfter, source: 'retry-after' };

  return (
    pickReset(
      ANTHROPIC_LIMITS.map((limit) => ({
        source: `anthropic-ratelimit-${limit}-reset`,
        ms: parseRfc3339Delay(get(`anthropic-ratelimit-${limit}-reset`), nowMs),
        remaining: parseDecimal(get(`anthropic-ratelimit-${limit}-remaining`)),
      })),
    ) ??
    pickReset(
      OPENAI_LIMITS.map((limit) => ({
        source: `x-ratelimit-reset-${limit}`,
        ms: parseDuration(get(`x-ratelimit-reset-${limit}`)),
        remaining: parseDecimal(get(`x-ratelimit-remaining-${limit}`)),
      })),
    )
  );
}

/**
 * Of several limits' reset times, the one that blocks us: an exhausted limit (`remaining` 0)
 * if any, the latest of them if several; otherwise the latest reset, the conservative guess.
 */
function pickReset(
  candidates: Array<{ source: string; ms: number | undefined; remaining: number | undefined }>,
): { ms: number; source: string } | undefined {
  const known = candidates.filter(
    (c): c is { source: string; ms: number; remaining: number | undefined } => c.ms !== undefined,
  );
  const exhausted = known.filter((c) => c.remaining === 0);
  const pool = exhausted.length > 0 ? exhausted : known;
  let best: { ms: number; source: string } | undefined;
  for (const c of pool) if (!best || c.ms > best.ms) best = { ms: c.ms, source: c.source };
  return best;
}

/** A non-negative decimal number; anything else (garbage, negative, empty) is no value. */
export function parseDecimal(raw: string | undefined): number | undefined {
  const text = raw?.trim();
  if (!text || !DELTA_SECONDS.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** `retry-after`: delta-seconds (a float, as the SDKs accept) or an HTTP date; a past date means now. */
export function parseRetryAfter(raw: string | undefined, nowMs: number): number | undefined {
  const seconds = parseDecimal(raw);
  if (seconds !== undefined) return seconds * 1000;
  const text = raw?.trim();
  if (!text || !HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

/** An RFC 3339 time (Anthropic's resets) as ms from `nowMs`; a past time means now. */
export function parseRfc3339Delay(raw: string | undefined, nowMs: number): number | undefined {
  const text = raw?.trim();
  if (!text || !RFC_3339.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

/**
 * OpenAI's reset durations, Go-style: `1s`, `6m0s`, `12ms`, `1h2m3.5s`. A bare number is
 * read as seconds, as some OpenAI-compatible servers send it.
 */
export function parseDuration(raw: string | undefined): number | undefined {
  const text = raw?.trim();
  if (!text) return undefined;
  const seconds = parseDecimal(text);
  if (seconds !== undefined) return seconds * 1000;
  if (!DURATION_WHOLE.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(DURATION_PART))
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
  return Number.isFinite(total) ? total : undefined;
}
