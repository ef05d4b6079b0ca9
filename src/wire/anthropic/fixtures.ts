/** Test helpers: the fixture files beside this folder, read by name, and SSE parsed as events. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createParser } from 'eventsource-parser';
import type { SseEvent } from '../codec.ts';

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
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = createParser({
    onEvent: (e) => {
      const event: SseEvent = { data: e.data };
      if (e.event !== undefined) event.event = e.event;
      events.push(event);
    },
  });
  parser.feed(text);
  parser.reset({ consume: true });
  return events;
}

/** Events as comparable values: the name and the parsed JSON data. */
export function comparable(events: SseEvent[]): Array<{ event: string | undefined; data: unknown }> {
  return events.map((e) => ({ event: e.event, data: JSON.parse(e.data) }));
}
