/**
 * Rate-limit-aware pacing over real sockets: the mock's limiter is a real token bucket whose
 * every answer reports it in the provider's headers (OpenAI's `x-ratelimit-*` durations,
 * Anthropic's RFC 3339 resets), and a herd of callers meets it with pacing on and off.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/index.ts';
import { OutlastError } from '../../src/errors/index.ts';
import type { MockProvider } from '../../src/testing/index.ts';
import type { CanonicalRequest } from '../../src/wire/canonical/index.ts';
import { engineFor, startMock } from '../engine/support/harness.ts';

const ROOMY = { connect: 3000, headers: 5000, firstToken: 5000, idle: 5000, total: 20_000, deadline: 30_000 };
const ask = (n: number): CanonicalRequest => ({
  model: 'default',
  maxTokens: 16,
  messages: [{ role: 'user', content: [{ type: 'text', text: `Question number ${n}.` }] }],
});

let mock: MockProvider;
let engine: Engine | undefined;
beforeAll(async () => {
  mock = await startMock();
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  mock.setScenario({});
  mock.reset();
});
afterAll(async () => {
  await mock.close();
});

const limited = (model: string) => ({
  models: { [model]: { rateLimit: { capacity: 8, refillPerSecond: 80, retryAfterMs: true } } },
});

/** 64 callers at once, each making `calls` calls one after the other. */
async function herd(target: string, pacing: boolean, calls: number) {
  engine = engineFor(mock, {
    routes: { default: [target] },
    timeout: ROOMY,
    retry: { attempts: 3, baseMs: 100, capMs: 1000 },
    pacing,
  });
  let ok = 0;
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: 64 }, async (_, caller) => {
      for (let i = 0; i < calls; i++) {
        try {
          await engine!.execute(ask(caller * calls + i)).response();
          ok++;
        } catch (e) {
          failures.push(OutlastError.isInstance(e) ? e.message : String(e));
        }
      }
    }),
  );
  const refused = mock.log().filter((e) => e.faultSource === 'limiter').length;
  await engine.close();
  engine = undefined;
  mock.reset();
  return { ok, failures, refused };
}

describe('a herd of 64 callers against a token-bucket-limited target whose headers report the bucket', () => {
  it.each([
    ['OpenAI (reset as a duration)', 'openai/gpt-4.1'],
    ['Anthropic (reset as an RFC 3339 time)', 'anthropic/claude-sonnet-4-5'],
  ])(
    '%s: pacing meets far fewer 429s and completes every call (without it, calls spend their attempts on 429s)',
    async (_, target) => {
      mock.setScenario(limited(target.split('/')[1]!));
      const without = await herd(target, false, 3);
      const paced = await herd(target, true, 3);
      expect(paced.failures).toEqual([]);
      expect(paced.ok).toBe(192);
      expect(paced.ok).toBeGreaterThanOrEqual(without.ok);
      // The first wave (64 calls at once, 8 in the bucket) meets the limit either way: before any
      // answer there are no headers to go by. After it, paced calls wait for room instead.
      expect(paced.refused * 3).toBeLessThan(without.refused);
    },
    60_000,
  );
});
