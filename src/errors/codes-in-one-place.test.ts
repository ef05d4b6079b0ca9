/**
 * Every OUTLAST_* error code is written once, in errors/codes.ts; the rest of the tree names it
 * from there (SPECIFIC_CODES, codeOfKind, timeoutCode). Environment variables named OUTLAST_* are not codes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('..', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('error codes', () => {
  it('appear as string literals only in src/errors/codes.ts', () => {
    const offenders = sourceFiles(SRC)
      .filter((file) => relative(SRC, file) !== join('errors', 'codes.ts'))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, i) => ({ line, at: `${relative(SRC, file)}:${i + 1}` }))
          // Comments may name a code; code may not spell one.
          .filter(({ line }) => !/^\s*(\*|\/\/|\/\*)/.test(line))
          .filter(({ line }) => /['"`]OUTLAST_[A-Z_]+/.test(line) && !/\benv\b/.test(line))
          .map(({ at }) => at),
      );
    expect(offenders).toEqual([]);
  });
});
