/**
 * Vectors from different embedding models are not interchangeable: a fallback from one to
 * another would return vectors that cannot be compared with those already stored. So a route
 * may only mix targets of one model family, checked when the options are read (for declared
 * families) and again before an embeddings call (a model without a family is its own family).
 */
import { OutlastError } from '../errors/index.ts';
import type { ModelTable } from './models.ts';
import type { TargetRef } from './routes.ts';

function familiesOf(targets: readonly TargetRef[], models: ModelTable, declaredOnly: boolean) {
  const families = new Map<string, string[]>();
  for (const target of targets) {
    const declared = models(target.model).family;
    if (declared === undefined && declaredOnly) continue;
    const family = declared ?? target.model;
    families.set(family, [...(families.get(family) ?? []), target.key]);
  }
  return families;
}

function describe(families: Map<string, string[]>): string {
  return [...families].map(([family, keys]) => `${family} (${keys.join(', ')})`).join(' and ');
}

/** A problem with a route's families, for the options check; undefined when the route is fine. */
export function routeFamilyProblem(
  name: string,
  targets: readonly TargetRef[],
  models: ModelTable,
): string | undefined {
  const declared = familiesOf(targets, models, true);
  if (declared.size === 0) return undefined;
  const undeclared = targets.filter((t) => models(t.model).family === undefined).map((t) => t.key);
  if (declared.size === 1 && undeclared.length === 0) return undefined;
  const extra =
    undeclared.length > 0
      ? ` and targets with no family (${undeclared.join(', ')}; set models.<id>.family)`
      : '';
  return `routes.${name}: mixes embedding model families ${describe(declared)}${extra}; vectors from different models are not interchangeable, so a route may only mix deployments of one model family`;
}

/** Refuses an embeddings call over a route whose targets give vectors of different models. */
export function checkEmbeddingRoute(route: string, targets: readonly TargetRef[], models: ModelTable): void {
  const families = familiesOf(targets, models, false);
  if (families.size <= 1) return;
  throw new OutlastError({
    kind: 'bad_request',
    status: 400,
    retryable: false,
    message: `embeddings over "${route}": its targets are different embedding models, ${describe(families)}; vectors from different models are not interchangeable, so an embeddings route may only list deployments of one model (or of one declared models.<id>.family)`,
  });
}
