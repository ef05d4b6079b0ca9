/**
 * Redaction by value: every configured secret, and any fragment of one (4 characters or more
 * of its random part: the 6-character suffix an upstream quotes, the `sk-proj-****…bkFJ`
 * masked form OpenAI sends back), is replaced before text leaves the process: logs, the
 * status page, metrics and client answers. A fragment is found token by token (runs of key
 * characters), so one shared 4-gram masks the whole token it sits in. Provider prefixes
 * (`sk-proj-`, `sk-ant-api03-`, `AIza`) say which provider, not which key: they are not
 * fragments on their own.
 */

// Key shapes of the providers we talk to: Anthropic `sk-ant-…`, OpenAI `sk-…`/`sk-proj-…`, Google `AIza…`.
const KEY_SHAPES = [/sk-[A-Za-z0-9_-]{8,}/g, /AIza[0-9A-Za-z_-]{20,}/g, /Bearer\s+[A-Za-z0-9._~+/-]{8,}/g];
const PUBLIC_PREFIX = /^(?:sk-ant-(?:api\d+-|admin\d+-)?|sk-proj-|sk-svcacct-|sk-admin-|sk-|AIza)/;
const TOKEN = /[A-Za-z0-9_-]{4,}/g;
export const FRAGMENT_CHARS = 4;
const MASK = '[redacted]';

/** The 4-character pieces of a secret's random part. */
function fragmentsOf(secret: string): string[] {
  const body = secret.replace(PUBLIC_PREFIX, '');
  const out: string[] = [];
  for (let i = 0; i + FRAGMENT_CHARS <= body.length; i++) out.push(body.slice(i, i + FRAGMENT_CHARS));
  return out;
}

export function createRedactor(secrets: readonly string[]): (text: string) => string {
  const known = [...new Set(secrets.filter((s) => s.length >= FRAGMENT_CHARS))].sort(
    (a, b) => b.length - a.length,
  );
  const fragments = new Set(known.flatMap(fragmentsOf));
  const leaks = (token: string) => {
    for (let i = 0; i + FRAGMENT_CHARS <= token.length; i++) {
      if (fragments.has(token.slice(i, i + FRAGMENT_CHARS))) return true;
    }
    return false;
  };
  return (text) => {
    let out = text;
    for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(MASK);
    for (const shape of KEY_SHAPES) out = out.replace(shape, MASK);
    if (fragments.size > 0) out = out.replace(TOKEN, (token) => (leaks(token) ? MASK : token));
    return out;
  };
}

/** A copy of a record with every string in it (keys too) passed through `redact`, `maxDepth` levels down. */
export function redactValue(value: unknown, redact: (text: string) => string, maxDepth = 8): unknown {
  return redactAt(value, redact, maxDepth);
}

function redactAt(value: unknown, redact: (text: string) => string, depth: number): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  // Deeper than the walk goes: shown as a placeholder rather than passed on unscrubbed.
  if (depth < 0) return '[too deep]';
  if (value instanceof Error) {
    return {
      type: value.name,
      message: redact(value.message),
      ...(value.stack ? { stack: redact(value.stack) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((v) => redactAt(v, redact, depth - 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[redact(k)] = redactAt(v, redact, depth - 1);
  return out;
}
