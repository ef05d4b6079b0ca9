#!/usr/bin/env node
// The `outlast` command: checks the Node version before anything else loads, then runs the
// built CLI (dist/, in the published package) or, in a clone nobody has built, the TypeScript
// sources directly (Node 22.19 and newer run them as they are).
import { existsSync } from 'node:fs';
import { unsupportedNodeMessage } from './node-version.js';

const unsupported = unsupportedNodeMessage(process.versions.node);
if (unsupported) {
  process.stderr.write(`${unsupported}\n`);
  process.exit(1);
}
const built = new URL('../dist/cli/main.js', import.meta.url);
const source = new URL('../src/cli/main.ts', import.meta.url);
await import(existsSync(built) ? built.href : source.href);
