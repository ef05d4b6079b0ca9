import { afterAll, describe, expect, it } from 'vitest';
import { createRedactor, secretsOf } from '../observe/logging.ts';
import type { MockProvider } from '../testing/index.ts';
import { DEMO_ROUTE, startDemo } from './demo.ts';

let mock: MockProvider | undefined;
afterAll(async () => {
  await mock?.close();
});

describe('the demo gateway', () => {
  it('logs its providers and models by name: its key shares no piece with them', async () => {
    const demo = await startDemo();
    mock = demo.mock;
    const redact = createRedactor(secretsOf(demo.config.providers ?? {}));
    const names = [...Object.keys(demo.config.providers ?? {}), ...DEMO_ROUTE].join(' ');
    expect(redact(names)).toBe(names);
    // The redactor still masks the key itself.
    for (const key of secretsOf(demo.config.providers ?? {})) expect(redact(`key ${key}`)).not.toContain(key);
  });
});
