/** Which targets a request's `model` reaches: a route, a `provider/model` pair or a bare model. */
import { OutlastError, SPECIFIC_CODES } from '../errors/index.ts';
import type { ProviderConfig, ProviderType } from './config.ts';
import type { RouteGroup } from './route-entries.ts';
import type { HedgeSettings, RouteSettings } from './settings.ts';

export interface TargetRef {
  readonly provider: string;
  readonly model: string;
  /** `provider/model`, the breaker and cooldown key. */
  readonly key: string;
}

export interface ResolvedRoute {
  readonly name: string;
  readonly targets: readonly TargetRef[];
  /** The spans of `targets` that are balanced groups (none for a single target). */
  readonly groups: readonly RouteGroup[];
  readonly fallbackOnContentFilter: boolean;
  /** The route's own hint wait, when it has one. */
  readonly hintWaitMs?: number;
  /** The route's hedging, when it opted in. */
  readonly hedge?: HedgeSettings;
}

const FAMILY: ReadonlyArray<[RegExp, ProviderType]> = [
  [/^claude-/, 'anthropic'],
  [/^(gpt-|o\d|chatgpt-)/, 'openai'],
  [/^(gemini-|gemma-)/, 'gemini'],
];

export function targetOf(ref: string): TargetRef {
  const slash = ref.indexOf('/');
  const provider = ref.slice(0, slash);
  const model = ref.slice(slash + 1);
  return { provider, model, key: `${provider}/${model}` };
}

/**
 * Resolution order: a route by name; `provider/model` when the provider is configured; a bare
 * model listed by exactly one provider's `models`; a bare model of a known family
 * (`claude-*`, `gpt-*`, `gemini-*`) when exactly one provider has that type; the only provider.
 */
export function resolveRoute(
  model: string,
  routes: Readonly<Record<string, RouteSettings>>,
  providers: Readonly<Record<string, ProviderConfig>>,
): ResolvedRoute {
  const route = Object.hasOwn(routes, model) ? routes[model] : undefined;
  if (route) {
    return {
      name: model,
      targets: route.targets.map(targetOf),
      groups: route.groups,
      fallbackOnContentFilter: route.fallbackOnContentFilter,
      ...(route.hintWaitMs === undefined ? {} : { hintWaitMs: route.hintWaitMs }),
      ...(route.hedge ? { hedge: route.hedge } : {}),
    };
  }
  const single = (provider: string): ResolvedRoute => ({
    name: model,
    targets: [{ provider, model, key: `${provider}/${model}` }],
    groups: [],
    fallbackOnContentFilter: false,
  });
  const slash = model.indexOf('/');
  if (slash > 0 && Object.hasOwn(providers, model.slice(0, slash))) {
    return { ...single(model.slice(0, slash)), targets: [targetOf(model)] };
  }
  const names = Object.keys(providers);
  const listing = names.filter((n) => providers[n]?.models?.includes(model));
  if (listing.length === 1) return single(listing[0]!);
  const family = FAMILY.find(([pattern]) => pattern.test(model))?.[1];
  if (family) {
    const ofType = names.filter((n) => providers[n]?.type === family);
    if (ofType.length === 1) return single(ofType[0]!);
  }
  if (names.length === 1) return single(names[0]!);
  throw new OutlastError({
    kind: 'not_found',
    code: SPECIFIC_CODES.UNKNOWN_MODEL,
    retryable: false,
    message:
      `model "${model}" is not a route (${Object.keys(routes).join(', ') || 'none configured'}), ` +
      `a provider/model pair, or a model one provider serves`,
  });
}
