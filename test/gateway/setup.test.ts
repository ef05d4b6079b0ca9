/**
 * Set-up that just works (issue 15): the bin runs from a clone with no build, says which Node
 * it needs on an old one, prints its version, and numbers and booleans given as `${ENV}` are
 * read as numbers and booleans where the config wants them.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { unsupportedNodeMessage } from '../../bin/node-version.js';
import { parseConfig } from '../../src/gateway/config/index.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/outlast.js', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
};

describe('set-up', () => {
  it('the package bin runs from the sources without a build, and --version prints the package version', async () => {
    expect(pkg.bin.outlast).toBe('./bin/outlast.js');
    const { stdout } = await run(process.execPath, [BIN, '--version']);
    expect(stdout.trim()).toBe(pkg.version);
    const hashed = await run(process.execPath, [BIN, 'hash-key', 'abc']);
    expect(hashed.stdout).toMatch(/^sha256:[0-9a-f]{64}/);
  });

  it('names the Node it needs on one older than 22.19', () => {
    expect(unsupportedNodeMessage('20.20.2')).toBe(
      'outlast needs Node 22.19 or newer; this is Node 20.20.2. Install a current Node (https://nodejs.org) and run it again.',
    );
    expect(unsupportedNodeMessage('22.18.0')).toMatch(/needs Node 22\.19/);
    expect(unsupportedNodeMessage('22.19.0')).toBeUndefined();
    expect(unsupportedNodeMessage('24.1.0')).toBeUndefined();
  });

  it('reads numbers and booleans from environment placeholders where the schema wants them, and only there', () => {
    const yaml = `
providers:
  openai: { type: openai, apiKey: "\${OPENAI_KEY}" }
routes: { default: [openai/gpt-4.1] }
server: { port: "\${PORT}", maxInFlight: "\${MAX_IN_FLIGHT:-64}" }
logging: { requests: "\${LOG_REQUESTS}" }
`;
    const config = parseConfig(yaml, {
      env: { OPENAI_KEY: '12345678', PORT: '4100', LOG_REQUESTS: 'false' },
    });
    expect(config.server?.port).toBe(4100);
    expect(config.server?.maxInFlight).toBe(64);
    expect(config.logging?.requests).toBe(false);
    // A key of digits stays the string it was.
    expect(config.providers.openai?.apiKey).toBe('12345678');
    expect(() =>
      parseConfig(yaml, { env: { OPENAI_KEY: 'k', PORT: 'four', LOG_REQUESTS: 'false' } }),
    ).toThrow(/server\.port/);
  });
});
