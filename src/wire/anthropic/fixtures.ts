/** Test helpers: the fixture files beside this folder, read by name, and SSE parsed as events. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SseEvent } from '../codec.ts';

export { parseSse } from '../shared/parse-sse.ts';

const DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));

export function fixtureNames(prefix: string, dir = '', suffix = ''): string[] {
  return readdirSync(DIR + dir)
    .filter((name) => name.startsWith(prefix) && name.endsWith(suffix))
    .sort();
}

export function readFixture(name: string): string {
  return readFileSync(DIR + name, 'utf8');
}

export function readJsonFixture(name: string): unknown {
  return JSON.parse(readFixture(name));
}

/** SSE text → events, through the same parser the transport uses. */

/** Events as comparable values: the name and the parsed JSON data. */
export function comparable(events: SseEvent[]): Array<{ event: string | undefined; data: unknown }> {
  return events.map((e) => ({ event: e.event, data: JSON.parse(e.data) }));
}
