/** `ai` and `@ai-sdk/*` are optional peers: only `outlast/ai-sdk` may import them, so no other entry point needs them. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');
const AI_SDK_DIR = join('integrations', 'ai-sdk');
const IMPORT = /(?:from|import)\s*\(?\s*['"](ai|ai-v6|@ai-sdk\/[^'"]+)['"]/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the AI SDK stays optional', () => {
  it('no module outside src/integrations/ai-sdk imports ai or @ai-sdk/*', () => {
    const offenders: string[] = [];
    let seenInside = 0;
    for (const file of sources(SRC)) {
      const rel = relative(SRC, file);
      const found = [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => m[1]);
      if (rel.startsWith(AI_SDK_DIR)) seenInside += found.length;
      else if (found.length > 0) offenders.push(`${rel}: ${found.join(', ')}`);
    }
    expect(offenders).toEqual([]);
    // The pattern does find the imports where they belong.
    expect(seenInside).toBeGreaterThan(3);
  });
});
