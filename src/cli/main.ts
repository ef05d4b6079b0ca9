#!/usr/bin/env node
/** The `outlast` command: `gateway`, `mock`, `hash-key`. */
import { readFileSync } from 'node:fs';
import { defineCommand, runMain } from 'citty';
import { OutlastError } from '../errors/index.ts';
import { gatewayCommand } from './gateway-command.ts';
import { hashKeyCommand } from './hash-key-command.ts';
import { mockCommand } from './mock-command.ts';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const main = defineCommand({
  meta: {
    name: 'outlast',
    version,
    description: 'Keeps LLM API calls answering when providers fail',
  },
  subCommands: { gateway: gatewayCommand, mock: mockCommand, 'hash-key': hashKeyCommand },
});

// Config and option errors are the user's to fix: print the message, not a stack.
process.on('unhandledRejection', (error) => {
  process.stderr.write(`outlast: ${OutlastError.isInstance(error) ? error.message : String(error)}\n`);
  process.exit(1);
});

void runMain(main);
