import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeTransport, fakeCodec } from '../engine/fixtures/fake-upstream.ts';
import { createEngine, type Engine } from '../engine/index.ts';
import { createFakeClock } from '../policy/index.ts';
import { attachLogger, redactingLogger } from './logging.ts';

const KEY = 'sk-ant-api03-SECRETSECRETSECRET0123456789';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
});

describe('logging', () => {
  it('logs each failed attempt once as JSON with its facts, and never an API key', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const logger = pino({ level: 'debug' }, sink);
    const clock = createFakeClock();
    const transport = createFakeTransport(
      {
        'anthropic/claude-sonnet-4-5': [{ fail: 'auth', message: `invalid x-api-key: ${KEY}` }],
        'openai/gpt-4.1': [
          { fail: 'server', message: 'Incorrect API key provided: sk-proj-abcdefghijklmnop' },
        ],
      },
      () => clock.now(),
    );
    engine = createEngine(
      {
        providers: {
          anthropic: { type: 'anthropic', apiKey: KEY },
          openai: { type: 'openai', apiKey: 'sk-proj-x' },
        },
        routes: { default: ['anthropic/claude-sonnet-4-5', 'openai/gpt-4.1'] },
        retry: 1,
      },
      { transport, clock, codecFor: fakeCodec },
    );
    attachLogger(engine, logger, { secrets: [KEY] });
    const call = engine.execute({
      model: 'default',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    });
    await call.response().catch(() => {});
    await call.trace;
    logger.flush();
    await new Promise((r) => setImmediate(r));
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const failures = records.filter((r) => r['event'] === 'attempt_failed');
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({
      level: 40,
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      errorKind: 'auth',
      status: 401,
      attempt: 1,
      requestId: call.requestId,
    });
    expect(typeof failures[0]!['latencyMs']).toBe('number');
    expect(records.some((r) => r['event'] === 'call_failed')).toBe(true);
    const text = lines.join('\n');
    expect(text).toContain('[redacted]');
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('sk-proj-abcdefghijklmnop');
  });

  it('redacts what the logger will write, and skips records below its level', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const base = pino({ level: 'warn' }, sink);
    const redacted: string[] = [];
    const logger = redactingLogger(base, (text) => {
      redacted.push(text);
      return text.replaceAll(KEY, '[redacted]');
    });
    logger.info?.({ key: KEY }, 'request');
    logger.debug?.({ key: KEY }, 'call complete');
    expect(redacted).toEqual([]);
    logger.warn({ key: KEY }, `failed with ${KEY}`);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ key: '[redacted]', msg: 'failed with [redacted]' });
    // pino's level may change at run time: the next info record is written, redacted.
    base.level = 'info';
    logger.info?.({ key: KEY }, 'request');
    expect(lines).toHaveLength(2);
    expect(lines[1]).not.toContain(KEY);
  });
});
