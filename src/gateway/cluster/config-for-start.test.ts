import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/index.ts';
import { configForStart } from './primary.ts';

const base = {
  providers: { openai: { type: 'openai' as const, apiKey: 'k' } },
  routes: { default: ['openai/gpt-4.1'] },
};

describe('the config a restarted worker starts with', () => {
  it('takes the reloaded routes and limits, but the port, host, state and logging of the first start', () => {
    const first = validateConfig({
      ...base,
      server: { port: 4000, host: '0.0.0.0', maxInFlight: 10 },
      state: { redis: 'redis://127.0.0.1:6379' },
      logging: { level: 'warn' as const },
    });
    const reloaded = validateConfig({
      ...base,
      routes: { default: ['openai/gpt-4.1'], second: ['openai/gpt-4.1-mini'] },
      server: { port: 5000, maxInFlight: 99 },
      logging: { level: 'debug' as const },
    });
    const started = configForStart(first, reloaded);
    expect(Object.keys(started.routes ?? {})).toEqual(['default', 'second']);
    expect(started.server).toEqual({ port: 4000, host: '0.0.0.0', maxInFlight: 99 });
    expect(started.state).toEqual({ redis: 'redis://127.0.0.1:6379' });
    expect(started.logging).toEqual({ level: 'warn' });
    // Still a config the worker accepts.
    expect(() => validateConfig(started)).not.toThrow();
  });

  it('leaves out what the first start did not have', () => {
    const first = validateConfig(base);
    const started = configForStart(
      first,
      validateConfig({ ...base, state: { redis: 'redis://x:1' }, server: { port: 1 } }),
    );
    expect(started.state).toBeUndefined();
    expect(started.server).toEqual({});
  });
});
