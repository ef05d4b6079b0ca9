/**
 * `${NAME}` and `${NAME:-default}` in a config's string values, from the environment. Done on
 * the parsed YAML (string values only), so a secret with YAML-special characters cannot
 * change the document's shape. `$${` writes a literal `${`.
 */
import { OutlastError, SPECIFIC_CODES } from '../../errors/index.ts';

const PATTERN = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

function interpolateString(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  path: string,
): string {
  return text.replace(PATTERN, (_whole, escaped: string, name: string, fallback: string | undefined) => {
    if (escaped) return `\${${name}${fallback === undefined ? '' : `:-${fallback}`}}`;
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    throw new OutlastError({
      kind: 'bad_request',
      code: SPECIFIC_CODES.INVALID_CONFIG,
      message: `${path || '(config)'}: environment variable ${name} is not set (write \${${name}:-default} for a default)`,
    });
  });
}

/** A copy of `value` with every string interpolated; errors name the path. */
export function interpolateEnv(
  value: unknown,
  env: Readonly<Record<string, string | undefined>> = process.env,
  path = '',
): unknown {
  if (typeof value === 'string') return interpolateString(value, env, path);
  if (Array.isArray(value))
    return value.map((item, i) => interpolateEnv(item, env, path ? `${path}.${i}` : String(i)));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        interpolateEnv(item, env, path ? `${path}.${key}` : key),
      ]),
    );
  }
  return value;
}

const WHOLE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

/** Paths (as `a.b.0.c`) of the string values that are one `${NAME}` and nothing else: the ones a number or boolean may come from. */
export function wholePlaceholderPaths(value: unknown, path = '', out = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    if (WHOLE.test(value)) out.add(path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      wholePlaceholderPaths(item, path ? `${path}.${i}` : String(i), out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value))
      wholePlaceholderPaths(item, path ? `${path}.${key}` : key, out);
  }
  return out;
}

/**
 * `port: "${PORT}"` gives the string "4000"; where the schema wants a number or a boolean, a
 * value that came whole from the environment is read as one ("4000" → 4000, "true" → true).
 * Only there: an API key of digits stays a string.
 */
export function coerceEnvScalars(
  config: unknown,
  paths: ReadonlySet<string>,
  wanted: ReadonlyArray<{ path: readonly PropertyKey[]; expected: 'number' | 'boolean' }>,
): unknown {
  let changed = false;
  const copy = structuredClone(config);
  for (const { path, expected } of wanted) {
    if (!paths.has(path.join('.')) || path.length === 0) continue;
    let parent: unknown = copy;
    for (const key of path.slice(0, -1)) parent = (parent as Record<PropertyKey, unknown>)[key];
    const last = path[path.length - 1] as PropertyKey;
    const holder = parent as Record<PropertyKey, unknown>;
    const text = holder[last];
    if (typeof text !== 'string') continue;
    const trimmed = text.trim();
    if (expected === 'number' && trimmed !== '' && Number.isFinite(Number(trimmed))) {
      holder[last] = Number(trimmed);
      changed = true;
    } else if (expected === 'boolean' && (trimmed === 'true' || trimmed === 'false')) {
      holder[last] = trimmed === 'true';
      changed = true;
    }
  }
  return changed ? copy : config;
}
