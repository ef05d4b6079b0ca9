/** Test helpers: the fixture files beside this folder, read by name. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));

export function fixtureNames(prefix: string, dir = ''): string[] {
  return readdirSync(DIR + dir)
    .filter((name) => name.startsWith(prefix))
    .sort();
}

export function readFixture(name: string): string {
  return readFileSync(DIR + name, 'utf8');
}

export function readJsonFixture(name: string): unknown {
  return JSON.parse(readFixture(name));
}

/** The `data:` payloads of an SSE fixture, one per event, in order. */
export function sseData(text: string): string[] {
  return text
    .split(/\r?\n\r?\n/)
    .map((frame) =>
      frame
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n'),
    )
    .filter((data) => data !== '');
}
