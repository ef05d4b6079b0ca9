/** `outlast hash-key [KEY]`: the `sha256:` line to put under `keys:` (a fresh key when none is given). */
import { defineCommand } from 'citty';
import { generateKey, hashKey } from '../gateway/config/hash-key.ts';
import { exitOnError } from './exit-on-error.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

export const hashKeyCommand = defineCommand({
  meta: {
    name: 'hash-key',
    description: 'Hash a gateway key for the config (`keys:`); with no key, make a new random one',
  },
  args: {
    key: {
      type: 'positional',
      required: false,
      description: 'the key to hash; `-` reads it from stdin (keeps it out of shell history)',
    },
  },
  run: ({ args }) =>
    exitOnError(async () => {
      const given = typeof args.key === 'string' ? args.key : undefined;
      const key = given === '-' ? await readStdin() : given;
      if (key !== undefined) {
        if (key === '') throw new Error('hash-key: the key is empty');
        process.stdout.write(`${hashKey(key)}\n`);
        return;
      }
      const fresh = generateKey();
      process.stdout.write(
        `key (give it to the client; it is not stored anywhere): ${fresh}\n` +
          `hash (put it under keys: in outlast.yaml):            ${hashKey(fresh)}\n`,
      );
    }),
});
