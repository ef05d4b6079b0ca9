/**
 * Issue 13's recovery matrix, over real sockets against the mock: an answer cut after 10, 40 or
 * 200 words of a longer one is continued, and the model answers the continuation in each of the
 * ways real models do. Through the library and the gateway, in the Anthropic (prefill) and
 * OpenAI (continue turn) dialects, streaming and not, the caller gets exactly the fault-free
 * answer, or (nothing alignable came back) a typed error: never any other text as a success.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type OutlastClient } from '../../src/client/index.ts';
import { OutlastError } from '../../src/errors/index.ts';
import type { Gateway } from '../../src/gateway/index.ts';
import { providersFor } from '../engine/support/harness.ts';
import { createHarness, GATEWAY_KEY, type Harness } from '../gateway/support.ts';

const CLAUDE = 'claude-sonnet-4-5';
const GPT = 'gpt-4.1';
const PROMPT = 'Tell me a long story about resilience.';
const MAX_TOKENS = 600;
const ROOMY = { connect: 3000, headers: 3000, firstToken: 3000, idle: 3000, total: 20_000, deadline: 40_000 };

/** Behaviours that can be aligned with what the caller has: the exact answer must come back. */
const ALIGNABLE = [
  'exact',
  'overlap',
  'overlap chars=80',
  'sentence_restart',
  'full_restart',
  'preamble',
  'preamble then=sentence_restart',
  'anchor',
  'prefill_ignored',
  'prefill_rejected',
] as const;
/** Behaviours with nothing to align on: a typed error, or (a retry answered otherwise) the exact answer. */
const UNALIGNABLE = ['paraphrase', 'different'] as const;
const CUTS = [10, 40, 200] as const;

type Dialect = 'anthropic' | 'openai';
type Entry = 'library' | 'gateway';

let harness: Harness;
let gateway: Gateway;
let client: OutlastClient;
const expected: Record<Dialect, string> = { anthropic: '', openai: '' };

beforeAll(async () => {
  harness = await createHarness({ defaults: { answerTokens: [260, 300] } });
  const routes = { claude: [`anthropic/${CLAUDE}`], gpt: [`openai/${GPT}`] };
  gateway = await harness.start({ routes, timeout: ROOMY, retry: { attempts: 2, baseMs: 10, capMs: 40 } });
  client = createClient({
    providers: providersFor(harness.mock),
    routes,
    timeout: ROOMY,
    retry: { attempts: 2, baseMs: 10, capMs: 40 },
  });
  expected.anthropic = harness.mock.expectedAnswer({
    format: 'anthropic',
    body: { model: CLAUDE, max_tokens: MAX_TOKENS, messages: [{ role: 'user', content: PROMPT }] },
  }).text;
  expected.openai = harness.mock.expectedAnswer({
    format: 'openai',
    body: { model: GPT, max_tokens: MAX_TOKENS, messages: [{ role: 'user', content: PROMPT }] },
  }).text;
});
afterAll(async () => {
  await client.close();
  await harness.close();
});

async function ask(entry: Entry, dialect: Dialect, stream: boolean): Promise<string> {
  const route = dialect === 'anthropic' ? 'claude' : 'gpt';
  const messages = [{ role: 'user' as const, content: PROMPT }];
  if (dialect === 'anthropic') {
    const sdk =
      entry === 'gateway'
        ? new Anthropic({ baseURL: gateway.url, apiKey: GATEWAY_KEY, maxRetries: 0 })
        : undefined;
    const params = { model: route, max_tokens: MAX_TOKENS, messages };
    if (stream) {
      const events = sdk ? sdk.messages.stream(params) : client.messages.stream(params);
      let text = '';
      for await (const e of events as AsyncIterable<{
        type: string;
        delta?: { type: string; text?: string };
      }>) {
        if (e.type === 'content_block_delta' && e.delta?.type === 'text_delta') text += e.delta.text ?? '';
      }
      return text;
    }
    const m = sdk ? await sdk.messages.create(params) : await client.messages.create(params);
    return m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  }
  const sdk =
    entry === 'gateway'
      ? new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 })
      : undefined;
  const params = { model: route, max_tokens: MAX_TOKENS, messages };
  if (stream) {
    const chunks = sdk
      ? await sdk.chat.completions.create({ ...params, stream: true })
      : await client.chat.completions.create({ ...params, stream: true });
    let text = '';
    for await (const c of chunks) text += c.choices[0]?.delta.content ?? '';
    return text;
  }
  const c = sdk ? await sdk.chat.completions.create(params) : await client.chat.completions.create(params);
  return c.choices[0]?.message.content ?? '';
}

function scenario(dialect: Dialect, behaviour: string, cutAfter: number) {
  const model = dialect === 'anthropic' ? CLAUDE : GPT;
  return {
    defaults: { answerTokens: [260, 300] },
    models: {
      [model]: {
        continuation: behaviour,
        ...(behaviour === 'prefill_rejected' ? { rejectsPrefill: true } : {}),
        faults: [{ fault: `cut after=${cutAfter}`, on: 'first' }],
      },
    },
  };
}

const entries: Entry[] = ['library', 'gateway'];
const dialects: Dialect[] = ['anthropic', 'openai'];

describe.each(entries)('%s', (entry) => {
  describe.each(dialects)('%s dialect', (dialect) => {
    describe.each([false, true])('streaming %s', (stream) => {
      it.each(ALIGNABLE.flatMap((b) => CUTS.map((cut) => [b, cut] as const)))(
        'continued with %s after a cut at %i words: the exact answer',
        async (behaviour, cut) => {
          harness.mock.setScenario(scenario(dialect, behaviour, cut) as never);
          harness.mock.reset();
          const text = await ask(entry, dialect, stream);
          expect(text).toBe(expected[dialect]);
          expect(harness.mock.log().length).toBeGreaterThanOrEqual(2);
        },
      );
      it.each(UNALIGNABLE.flatMap((b) => CUTS.map((cut) => [b, cut] as const)))(
        'continued with %s after a cut at %i words: a typed error, never other text',
        async (behaviour, cut) => {
          harness.mock.setScenario(scenario(dialect, behaviour, cut) as never);
          harness.mock.reset();
          const outcome = await ask(entry, dialect, stream).then(
            (text) => ({ text }),
            (error: unknown) => ({ error }),
          );
          if ('text' in outcome) {
            // A stream that already showed the caller part of the answer ends with an error event,
            // which the SDKs raise: reaching here means the whole answer came back, exactly.
            expect(outcome.text).toBe(expected[dialect]);
          } else if (entry === 'library') {
            expect(OutlastError.isInstance(outcome.error)).toBe(true);
            expect((outcome.error as OutlastError).kind).toBe('stream_interrupted');
          } else {
            expect(outcome.error).toBeInstanceOf(
              dialect === 'anthropic' ? Anthropic.APIError : OpenAI.APIError,
            );
          }
        },
      );
    });
  });
});
