/**
 * Which `model` names the gateway serves: its routes and the targets its config names (route
 * targets and the models listed under a provider), also when asked for by a bare model name
 * that resolves to one of them. Everything else is refused with a 400 that lists the routes,
 * unless the config says `allowAnyModel: true`; then such models are served but share one
 * bounded label (`other`), so a client sending a new name each time grows no metric series.
 */
import type { Engine } from '../../engine/index.ts';
import { resolveRoute } from '../../engine/routes.ts';
import { OutlastError, SPECIFIC_CODES } from '../../errors/index.ts';
import { OTHER_MODEL } from '../../observe/metrics.ts';

export interface KnownModels {
  /** Undefined when the gateway serves the name; otherwise the 400 to answer. */
  refuse(model: string): OutlastError | undefined;
  /** Whether the config names this target. */
  isConfigured(provider: string, model: string): boolean;
  /** The route label of a name that passed `refuse`: itself, or `other` when it is not configured. */
  routeLabel(model: string): string;
}

export function createKnownModels(engine: Engine, options: { allowAnyModel: boolean }): KnownModels {
  const listed = engine.models();
  const routes = listed.filter((m) => m.kind === 'route').map((m) => m.id);
  const targets = new Set(listed.filter((m) => m.kind === 'model').map((m) => m.id));
  const { settings } = engine;
  // Names asked for are few in practice; a name the config does not know is not remembered.
  const verdicts = new Map<string, boolean>();
  const configured = (model: string): boolean => {
    const known = verdicts.get(model);
    if (known !== undefined) return known;
    let ok = false;
    if (Object.hasOwn(settings.routes, model)) ok = true;
    else {
      try {
        const route = resolveRoute(model, settings.routes, settings.providers);
        ok = route.targets.every((t) => targets.has(t.key));
      } catch {
        ok = false;
      }
    }
    if (ok) verdicts.set(model, true);
    return ok;
  };
  const shown = [...targets].slice(0, 20);
  return {
    refuse(model) {
      if (options.allowAnyModel || configured(model)) return undefined;
      return new OutlastError({
        kind: 'bad_request',
        status: 400,
        code: SPECIFIC_CODES.UNKNOWN_MODEL,
        retryable: false,
        message:
          `model "${model.slice(0, 200)}" is not served by this gateway; ask for a route ` +
          `(${routes.join(', ') || 'none configured'})` +
          (shown.length > 0
            ? ` or a configured model (${shown.join(', ')}${targets.size > shown.length ? ', …' : ''})`
            : '') +
          ' (set allowAnyModel: true to pass other models through)',
      });
    },
    isConfigured: (provider, model) => targets.has(`${provider}/${model}`),
    routeLabel: (model) => (configured(model) ? model : OTHER_MODEL),
  };
}
