/** Reads, interpolates and validates a gateway config; every error names the path and the problem. */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { parseOptions } from '../../engine/config.ts';
import { OutlastError } from '../../errors/index.ts';
import { interpolateEnv } from './interpolate.ts';
import { type GatewayConfig, gatewayConfigSchema } from './schema.ts';

export function configError(source: string | undefined, problems: readonly string[]): OutlastError {
  const where = source ? `${source}: ` : '';
  return new OutlastError({
    kind: 'bad_request',
    code: 'OUTLAST_INVALID_CONFIG',
    message: `invalid gateway config ${where}${problems.join('; ')}`,
  });
}

/** The closest name, when one is close enough to be a typo. */
function suggest(name: string, known: readonly string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0] ?? 0;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const saved = row[j] ?? 0;
        row[j] = Math.min(
          (row[j] ?? 0) + 1,
          (row[j - 1] ?? 0) + 1,
          previous + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
        previous = saved;
      }
    }
    return row[b.length] ?? Number.POSITIVE_INFINITY;
  };
  let best: { name: string; d: number } | undefined;
  for (const candidate of known) {
    const d = distance(name, candidate);
    if (d <= 2 && (!best || d < best.d)) best = { name: candidate, d };
  }
  return best?.name;
}

function unknownName(what: string, name: string, known: readonly string[]): string {
  const hint = suggest(name, known);
  const list = known.length ? ` (${what}s: ${known.join(', ')})` : '';
  return `unknown ${what} "${name}"${hint ? `, did you mean "${hint}"?` : list}`;
}

/** Checks across fields that the schema cannot express. */
function crossCheck(config: GatewayConfig): string[] {
  const problems: string[] = [];
  const providers = Object.keys(config.providers);
  const routes = Object.keys(config.routes ?? {});
  for (const [name, route] of Object.entries(config.routes ?? {})) {
    const targets = Array.isArray(route) ? route : route.targets;
    const base = Array.isArray(route) ? `routes.${name}` : `routes.${name}.targets`;
    targets.forEach((ref, i) => {
      const provider = ref.slice(0, ref.indexOf('/'));
      if (!providers.includes(provider))
        problems.push(`${base}.${i}: ${unknownName('provider', provider, providers)}`);
    });
  }
  (config.chaos ?? []).forEach((rule, i) => {
    if (!routes.includes(rule.route))
      problems.push(`chaos.${i}.route: ${unknownName('route', rule.route, routes)}`);
    if (rule.target !== undefined) {
      const route = config.routes?.[rule.route];
      const targets = route === undefined ? [] : Array.isArray(route) ? route : route.targets;
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
  return validateConfig(interpolated, options.source);
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
