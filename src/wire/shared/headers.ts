import type { HeaderBag } from '../codec.ts';

/** One header's value, case-insensitively, from any header bag; the first value when repeated. */
export function getHeader(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const lower = name.toLowerCase();
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() !== lower) continue;
    const value = record[key];
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** A getter over a header bag, the shape the policies take (they know nothing of HTTP types). */
export function headerGetter(headers: HeaderBag): (name: string) => string | undefined {
  return (name) => getHeader(headers, name);
}
