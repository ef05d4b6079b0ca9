/**
 * Checks that names in the options point at something configured, with a "did you mean" for
 * typos. One check for the library's options and the gateway's YAML, so both say the same.
 */
import { flattenRoute } from './route-entries.ts';

/** The closest name, when one is close enough (edit distance ≤ 2) to be a typo. */
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

/** `unknown provider "opnai", did you mean "openai"?`, or the list of known names when none is close. */
export function unknownName(what: string, name: string, known: readonly string[]): string {
  const hint = suggest(name, known);
  const list = known.length ? ` (${what}s: ${known.join(', ')})` : '';
  return `unknown ${what} "${name}"${hint ? `, did you mean "${hint}"?` : list}`;
}

/** One problem per route target whose provider is not configured, named by its path (`routes.default.1`). */
export function unknownRouteProviders(
  routes: Readonly<Record<string, Parameters<typeof flattenRoute>[1]>> | undefined,
  providers: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const [name, route] of Object.entries(routes ?? {})) {
    const { targets, paths } = flattenRoute(name, route);
    targets.forEach((ref, i) => {
      const provider = ref.slice(0, ref.indexOf('/'));
      if (!providers.includes(provider))
        problems.push(`${paths[i]}: ${unknownName('provider', provider, providers)}`);
    });
  }
  return problems;
}
