/** Reads, interpolates and validates a gateway config; every error names the path and the problem. */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { parseOptions } from '../../engine/config.ts';
import { unknownName, unknownRouteProviders } from '../../engine/known-names.ts';
import { flattenRoute } from '../../engine/route-entries.ts';
import { OutlastError, SPECIFIC_CODES } from '../../errors/index.ts';
import { coerceEnvScalars, interpolateEnv, wholePlaceholderPaths } from './interpolate.ts';
import { type GatewayConfig, gatewayConfigSchema } from './schema.ts';

export function configError(source: string | undefined, problems: readonly string[]): OutlastError {
  const where = source ? `${source}: ` : '';
  return new OutlastError({
    kind: 'bad_request',
    code: SPECIFIC_CODES.INVALID_CONFIG,
    message: `invalid gateway config ${where}${problems.join('; ')}`,
  });
}

/** Checks across fields that the schema cannot express. */
function crossCheck(config: GatewayConfig): string[] {
  const problems = unknownRouteProviders(config.routes, Object.keys(config.providers));
  const routes = Object.keys(config.routes ?? {});
  (config.chaos ?? []).forEach((rule, i) => {
    if (!routes.includes(rule.route))
      problems.push(`chaos.${i}.route: ${unknownName('route', rule.route, routes)}`);
    if (rule.target !== undefined) {
      const route = config.routes?.[rule.route];
      const targets = route === undefined ? [] : flattenRoute(rule.route, route).targets;
      if (route && !targets.includes(rule.target))
        problems.push(`chaos.${i}.target: "${rule.target}" is not a target of route "${rule.route}"`);
    }
  });
  return problems;
}

/** Validates a config object (already parsed and interpolated). */
export function validateConfig(input: unknown, source?: string): GatewayConfig {
  let config: GatewayConfig;
  try {
    config = parseOptions(gatewayConfigSchema, input);
  } catch (error) {
    if (OutlastError.isInstance(error)) throw configError(source, [error.message]);
    throw error;
  }
  const problems = crossCheck(config);
  if (problems.length) throw configError(source, problems);
  return config;
}

/** YAML text → validated config, `${ENV}` and `${ENV:-default}` filled in from `env`. */
export function parseConfig(
  text: string,
  options: { source?: string; env?: Readonly<Record<string, string | undefined>> } = {},
): GatewayConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    throw configError(
      options.source,
      // The first error is the real one; the rest follow from it.
      doc.errors.slice(0, 1).map((e) => {
        const pos = e.linePos?.[0];
        return `${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}${e.message.split('\n')[0]}`;
      }),
    );
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw configError(options.source, ['(config): expected a YAML mapping with providers and routes']);
  }
  let interpolated: unknown;
  try {
    interpolated = interpolateEnv(raw, options.env ?? process.env);
  } catch (error) {
    if (OutlastError.isInstance(error)) throw configError(options.source, [error.message]);
    throw error;
  }
  return validateConfig(coerceFromEnv(raw, interpolated), options.source);
}

/** Numbers and booleans given as `${ENV}` become numbers and booleans where the schema wants them. */
function coerceFromEnv(raw: unknown, interpolated: unknown): unknown {
  const paths = wholePlaceholderPaths(raw);
  if (paths.size === 0) return interpolated;
  const result = gatewayConfigSchema.safeParse(interpolated);
  if (result.success) return interpolated;
  const wanted = result.error.issues.flatMap((issue) =>
    issue.code === 'invalid_type' && (issue.expected === 'number' || issue.expected === 'boolean')
      ? [{ path: issue.path, expected: issue.expected as 'number' | 'boolean' }]
      : [],
  );
  return coerceEnvScalars(interpolated, paths, wanted);
}

export async function loadConfigFile(
  path: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<GatewayConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw configError(path, [`cannot read the file (${reason})`]);
  }
  return parseConfig(text, { source: path, env });
}
