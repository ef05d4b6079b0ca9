/** A non-null, non-array object: the shape every JSON body and chunk check starts from. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
