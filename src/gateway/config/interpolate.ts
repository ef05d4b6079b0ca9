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
