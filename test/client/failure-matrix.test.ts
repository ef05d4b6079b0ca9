/**
 * The failure table (src/errors/error-kind.ts, docs/architecture.md) through the library's
 * four ways of calling (Anthropic and OpenAI
 * shapes, streaming and not) over real sockets against the mock, on a route that falls back
 * across formats: Anthropic → OpenAI → Gemini. Each case asserts what each model saw.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type OutlastClient } from '../../src/client/index.ts';
import type { EngineOptions } from '../../src/engine/index.ts';
import { OutlastError } from '../../src/errors/index.ts';
import type { MockProvider } from '../../src/testing/index.ts';
import { attemptsByModel, FAST, gapsFor, providersFor, startMock } from '../engine/support/harness.ts';

const A = 'claude-sonnet-4-5';
const O = 'gpt-4.1';
const G = 'gemini-2.5-flash';
const PROMPT = 'Tell me about resilience.';

type Method = 'messages.create' | 'messages.stream' | 'chat.create' | 'chat.stream';
const METHODS: Method[] = ['messages.create', 'messages.stream', 'chat.create', 'chat.stream'];

let mock: MockProvider;
const healthy: Record<string, string> = {};

function make(options: Partial<EngineOptions> = {}): OutlastClient {
  return createClient({
    providers: providersFor(mock),
    routes: { default: [`anthropic/${A}`, `openai/${O}`, `gemini/${G}`] },
    ...FAST,
    ...options,
  });
}

/** One call through one method: the text the caller read and the model it says answered. */
async function call(
  client: OutlastClient,
  method: Method,
  model = 'default',
): Promise<{ text: string; model: string }> {
  switch (method) {
    case 'messages.create': {
      const m = await client.messages.create({
        model,
        max_tokens: 60,
        messages: [{ role: 'user', content: PROMPT }],
      });
      return { text: m.content.map((b) => (b.type === 'text' ? b.text : '')).join(''), model: m.model };
    }
    case 'messages.stream': {
      const s = client.messages.stream({
        model,
        max_tokens: 60,
        messages: [{ role: 'user', content: PROMPT }],
      });
      let text = '';
      for await (const t of s.textStream) text += t;
      const final = await s.finalMessage();
      expect(final.content.map((b) => (b.type === 'text' ? b.text : '')).join('')).toBe(text);
      return { text, model: final.model };
    }
    case 'chat.create': {
      const c = await client.chat.completions.create({
        model,
        max_tokens: 60,
        messages: [{ role: 'user', content: PROMPT }],
      });
      return { text: c.choices[0]?.message.content ?? '', model: c.model };
    }
    case 'chat.stream': {
      const s = await client.chat.completions.create({
        model,
        max_tokens: 60,
        messages: [{ role: 'user', content: PROMPT }],
        stream: true,
      });
      let text = '';
      let answered = '';
      for await (const chunk of s) {
        answered ||= chunk.model;
        text += chunk.choices[0]?.delta.content ?? '';
      }
      return { text, model: answered };
    }
  }
}

beforeAll(async () => {
  mock = await startMock();
  const client = make({ routes: { a: [`anthropic/${A}`], o: [`openai/${O}`], g: [`gemini/${G}`] } });
  for (const [route, model] of [
    ['a', A],
    ['o', O],
    ['g', G],
  ] as const)
    healthy[model] = (await call(client, 'chat.create', route)).text;
  await client.close();
});
afterAll(async () => {
  await mock.close();
});

interface Case {
  row: string;
  faults: Record<string, unknown[]>;
  seen: Record<string, number>;
  answeredBy?: string;
  error?: string;
  options?: Partial<EngineOptions>;
  /** The answer is the primary's first N tokens continued by another model. */
  continuedAfterTokens?: number;
  /** Models that answer with another model's text (as one able to continue that model's answer would). */
  sameTextAs?: Record<string, string>;
  /** Bounds of the wait between the primary's two attempts (backoff ≤ capMs 80, or the hint). */
  gap?: [number, number];
}
const BACKOFF: [number, number] = [0, 600];

const CASES: Case[] = [
  {
    // A rate-limited target cools down; the ready fallback answers now rather than after the hint.
    // A short hint on the target the caller put first is waited out there (the route's order is its preference).
    row: 'rate_limited, short hint: waited out on the chosen target though a fallback is ready',
    faults: { [A]: [{ fault: '429 retry-after-ms=100', times: 1 }] },
    seen: { [A]: 2 },
    answeredBy: A,
    gap: [100, 1000],
  },
  {
    row: 'rate_limited, short hint, route prefers the fastest answer: falls back at once',
    faults: { [A]: [{ fault: '429 retry-after-ms=100', times: 1 }] },
    options: {
      routes: { default: { targets: [`anthropic/${A}`, `openai/${O}`, `gemini/${G}`], prefer: 'fastest' } },
    },
    seen: { [A]: 1, [O]: 1 },
    answeredBy: O,
  },
  {
    // Nothing else ready: the earliest hinted target is waited for and retried.
    row: 'rate_limited everywhere, hints past the short wait: the earliest is waited for',
    faults: {
      [A]: [{ fault: '429 retry-after-ms=100', times: 1 }],
      [O]: [{ fault: '429 retry-after=20', times: 1 }],
      [G]: [{ fault: '429 retry-after=20', times: 1 }],
    },
    options: { retry: { ...FAST.retry, hintWaitMs: 50 } },
    seen: { [A]: 2, [O]: 1, [G]: 1 },
    answeredBy: A,
    gap: [100, 1000],
  },
  {
    row: 'rate_limited, hint past the deadline',
    faults: { [A]: ['429 retry-after=30'] },
    seen: { [A]: 1, [O]: 1 },
    answeredBy: O,
  },
  // Overloaded: the ready fallback first (the primary is retried only once the others had their turn).
  { row: 'overloaded 529', faults: { [A]: ['529'] }, seen: { [A]: 1, [O]: 1 }, answeredBy: O },
  { row: 'overloaded 503', faults: { [A]: ['503'] }, seen: { [A]: 1, [O]: 1 }, answeredBy: O },
  { row: 'server 500', faults: { [A]: ['500'] }, seen: { [A]: 2, [O]: 1 }, answeredBy: O, gap: BACKOFF },
  {
    row: 'server 502 HTML page',
    faults: { [A]: ['502'] },
    seen: { [A]: 2, [O]: 1 },
    answeredBy: O,
    gap: BACKOFF,
  },
  { row: 'network reset', faults: { [A]: ['reset'] }, seen: { [A]: 2, [O]: 1 }, answeredBy: O, gap: BACKOFF },
  { row: 'timeout headers', faults: { [A]: ['hang'] }, seen: { [A]: 1, [O]: 1 }, answeredBy: O },
  { row: 'timeout first token', faults: { [A]: ['silence'] }, seen: { [A]: 1, [O]: 1 }, answeredBy: O },
  {
    row: 'in-band overload before content',
    faults: { [A]: ['error_event at=0 error=overloaded'] },
    seen: { [A]: 1, [O]: 1 },
    answeredBy: O,
  },
  {
    row: 'stream cut mid-answer',
    faults: { [A]: [{ fault: 'cut after=6', times: 1 }] },
    seen: { [A]: 2 },
    answeredBy: A,
  },
  {
    row: 'in-band error mid-answer',
    faults: { [A]: [{ fault: 'error_event at=6', times: 1 }] },
    seen: { [A]: 2 },
    answeredBy: A,
  },
  {
    // A silent target falls back first (the failure table): the next target continues the answer.
    row: 'timeout idle mid-answer',
    faults: { [A]: [{ fault: 'stall after=6', times: 1 }] },
    sameTextAs: { [O]: A },
    seen: { [A]: 1, [O]: 1 },
    answeredBy: A,
    continuedAfterTokens: 6,
  },
  {
    row: 'invalid_response: malformed event skipped',
    faults: { [A]: ['malformed at=3'] },
    seen: { [A]: 1 },
    answeredBy: A,
  },
  { row: 'context_length', faults: { [A]: ['context_length'] }, seen: { [A]: 1, [O]: 1 }, answeredBy: O },
  { row: 'auth 401', faults: { [A]: ['401'] }, seen: { [A]: 1, [O]: 1 }, answeredBy: O },
  { row: 'permission 403', faults: { [A]: ['403'] }, seen: { [A]: 1, [O]: 1 }, answeredBy: O },
  { row: 'not_found 404', faults: { [A]: ['404'] }, seen: { [A]: 1, [O]: 1 }, answeredBy: O },
  { row: 'bad_request 400', faults: { [A]: ['400'] }, seen: { [A]: 1 }, error: 'bad_request' },
  { row: 'content_filter', faults: { [A]: ['content_filter'] }, seen: { [A]: 1 }, error: 'content_filter' },
  {
    row: 'Anthropic and OpenAI down: Gemini answers',
    faults: { [A]: ['529'], [O]: ['500'] },
    seen: { [A]: 1, [O]: 2, [G]: 1 },
    answeredBy: G,
  },
  {
    row: 'everything down: the primary real failure',
    faults: { [A]: ['529'], [O]: ['500'], [G]: ['503'] },
    seen: { [A]: 2, [O]: 2, [G]: 2 },
    error: 'overloaded',
  },
];

describe.each(METHODS)('%s', (method) => {
  it.each(CASES)('$row', async (c) => {
    const models: Record<string, { faults?: unknown[]; textKey?: string }> = {};
    for (const [m, f] of Object.entries(c.faults)) models[m] = { faults: f };
    for (const [m, key] of Object.entries(c.sameTextAs ?? {})) models[m] = { ...models[m], textKey: key };
    mock.setScenario({ models } as never);
    mock.reset();
    const client = make(c.options);
    try {
      const result = await call(client, method).then(
        (r) => ({ ...r, error: undefined }),
        (error: unknown) => ({ text: '', model: '', error }),
      );
      expect(attemptsByModel(mock.log())).toEqual(c.seen);
      if (c.gap) {
        const gap = gapsFor(mock.log(), A)[0]!;
        expect(gap).toBeGreaterThanOrEqual(c.gap[0]);
        expect(gap).toBeLessThanOrEqual(c.gap[1]);
      }
      if (c.error) {
        expect(OutlastError.isInstance(result.error)).toBe(true);
        expect((result.error as OutlastError).kind).toBe(c.error);
        expect((result.error as OutlastError).attempts?.length).toBe(
          Object.values(c.seen).reduce((a, b) => a + b),
        );
      } else {
        expect(result.error).toBeUndefined();
        expect(result.model).toContain(c.answeredBy);
        if (c.continuedAfterTokens === undefined) {
          expect(result.text).toBe(healthy[c.answeredBy!]);
        } else {
          // The mock's tokens are words with their leading space.
          const head = healthy[c.answeredBy!]!.split(/(?= )/).slice(0, c.continuedAfterTokens).join('');
          expect(result.text.startsWith(head)).toBe(true);
          expect(result.text.length).toBeGreaterThan(head.length);
          // Continued by a model that can carry on the same answer: exactly the original.
          if (c.sameTextAs) expect(result.text).toBe(healthy[c.answeredBy!]);
        }
      }
    } finally {
      await client.close();
    }
  });
});

describe('stream recovery on a model that rejects prefill', () => {
  it('learns the rejection, continues without prefill, and never surfaces the rejection', async () => {
    mock.setScenario({
      models: { [A]: { rejectsPrefill: true, faults: [{ fault: 'cut after=6', times: 1 }] } },
    });
    mock.reset();
    const client = make();
    try {
      const { data, trace } = await client.messages
        .create({ model: 'default', max_tokens: 60, messages: [{ role: 'user', content: PROMPT }] })
        .withTrace();
      expect(data.content.map((b) => (b.type === 'text' ? b.text : '')).join('')).toBe(healthy[A]);
      const kinds = mock.log().map((e) => [e.status, e.continuation]);
      expect(kinds).toEqual([
        [200, undefined],
        [400, 'prefill'],
        [200, 'continue'],
      ]);
      expect(trace.continued).toBe(true);
      expect(client.status().find((s) => s.model === A)?.acceptsPrefill).toBe(false);
    } finally {
      await client.close();
    }
  });
});
