/**
 * Stream recovery against every way the mock's models answer a continuation (its
 * `continuation:` behaviours), over real sockets, after a cut at 10, 40 and 200 words of a
 * 260-word answer, in the Anthropic dialect (recovered with an assistant prefill) and the
 * OpenAI one (a "continue" turn quoting the anchor), streamed and not. The caller gets exactly
 * the original answer, or a typed error with nothing but a prefix of it: never other text as
 * a success.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/index.ts';
import { OutlastError } from '../../src/errors/index.ts';
import type { MockProvider } from '../../src/testing/index.ts';
import type { CanonicalRequest } from '../../src/wire/canonical/index.ts';
import { engineFor, startMock } from './support/harness.ts';

const TARGETS = [
  ['anthropic', 'claude-sonnet-4-5', 'prefill'],
  ['openai', 'gpt-4.1', 'continue'],
] as const;
const ANSWER_TOKENS = 260;
const CUTS = [10, 40, 200];

/** Behaviours the answer can be had back from exactly (the `exact` readings depend on where the cut fell). */
const ALIGNABLE = [
  'exact',
  'overlap',
  'overlap chars=60',
  'sentence_restart',
  'full_restart',
  'anchor',
  'preamble',
  'preamble then=overlap chars=30',
  'preamble then=sentence_restart',
  'preamble then=full_restart',
];
const PREFILL_ONLY = ['prefill_ignored', 'prefill_rejected; anchor on=continue'];
const UNALIGNABLE = ['paraphrase', 'different'];
/** A model that thinks it is done: fine after a sentence end, rejected mid-sentence. */
const NOTHING_NEW = ['empty', 'echo'];

let mock: MockProvider;
const healthy: Record<string, string> = {};
const ask = (model: string, stream: boolean): CanonicalRequest => ({
  model,
  maxTokens: 2000,
  stream,
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Write at length about resilient streams.' }] }],
});

beforeAll(async () => {
  mock = await startMock({ defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: ANSWER_TOKENS } });
  for (const [provider, model] of TARGETS) {
    const engine = engineFor(mock, { routes: { only: [`${provider}/${model}`] } });
    const answer = await engine.execute(ask('only', false)).response();
    healthy[model] = answer.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    await engine.close();
  }
});
afterAll(async () => {
  await mock.close();
});

async function recover(provider: string, model: string, cut: number, behaviour: string, stream: boolean) {
  mock.reset();
  mock.setScenario({
    defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: ANSWER_TOKENS },
    models: { [model]: { faults: [{ fault: `cut after=${cut}`, times: 1 }], continuation: behaviour } },
  } as never);
  const engine: Engine = engineFor(mock, { routes: { only: [`${provider}/${model}`] } });
  try {
    const call = engine.execute(ask('only', stream));
    let text = '';
    let error: unknown;
    if (stream) {
      try {
        for await (const part of call)
          if (part.type === 'block_delta' && part.delta.type === 'text') text += part.delta.text;
      } catch (e) {
        error = e;
      }
    } else {
      try {
        text = (await call.response()).content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      } catch (e) {
        error = e;
      }
    }
    const trace = await call.trace;
    return { text, error, trace, continuations: mock.log().filter((e) => e.continuation).length };
  } finally {
    await engine.close();
  }
}

/** The first `n` of the mock's tokens (words with their leading space). */
const firstTokens = (text: string, n: number) => text.split(/(?= )/).slice(0, n).join('');
const endsSentence = (text: string) => /[.!?]$/.test(text);

describe.each(TARGETS)('%s (%s, recovered by %s)', (provider, model, mode) => {
  describe.each([true, false])('streamed: %s', (stream) => {
    describe.each(CUTS)('cut after %i words', (cut) => {
      const exactReading = (behaviour: string) => behaviour === 'exact' || behaviour === 'preamble';

      it.each([...ALIGNABLE, ...(mode === 'prefill' ? PREFILL_ONLY : [])])(
        '%s: the exact original, or (a new sentence with nothing repeated) a typed error',
        async (behaviour) => {
          const original = healthy[model]!;
          const partial = firstTokens(original, cut);
          const r = await recover(provider, model, cut, behaviour, stream);
          expect(r.continuations).toBeGreaterThan(0);
          // A new turn carrying on after a sentence end with nothing repeated reads like a fresh
          // answer: rejected (the aligner's documented choice). A prefill carries on its own stream.
          const rejected =
            exactReading(behaviour) &&
            (mode === 'continue' || behaviour === 'preamble') &&
            endsSentence(partial);
          if (rejected) {
            expect(OutlastError.isInstance(r.error)).toBe(true);
            expect(original.startsWith(r.text)).toBe(true);
          } else {
            expect(r.error).toBeUndefined();
            expect(r.text).toBe(original);
            expect(r.trace.continued).toBe(true);
          }
        },
      );

      it.each(UNALIGNABLE)(
        "%s: a typed error, and nothing but the original's start reached the caller",
        async (behaviour) => {
          const original = healthy[model]!;
          const r = await recover(provider, model, cut, behaviour, stream);
          expect(OutlastError.isInstance(r.error)).toBe(true);
          expect(r.trace.attempts.some((a) => a.error?.code === 'OUTLAST_CONTINUATION_UNALIGNED')).toBe(true);
          if (stream) expect(r.text).toBe(firstTokens(original, cut));
          else expect(r.text).toBe('');
        },
      );

      it.each(NOTHING_NEW)(
        '%s: complete only after a sentence end, else a typed error',
        async (behaviour) => {
          const original = healthy[model]!;
          const partial = firstTokens(original, cut);
          const r = await recover(provider, model, cut, behaviour, stream);
          if (endsSentence(partial)) {
            // What a finished answer looks like: no text tells the two apart (documented).
            expect(r.error).toBeUndefined();
            expect(r.text).toBe(partial);
          } else {
            expect(OutlastError.isInstance(r.error)).toBe(true);
            expect(original.startsWith(r.text)).toBe(true);
            expect(r.text.length).toBeLessThan(original.length);
          }
        },
      );
    });
  });
});
