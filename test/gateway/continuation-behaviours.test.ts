/**
 * Stream recovery through the gateway, seen by the official SDKs (Anthropic messages and
 * OpenAI chat, streamed and not), against the mock's continuation behaviours over real
 * sockets: an Anthropic upstream recovered by prefill, an OpenAI one by a "continue" turn.
 * The client reads exactly the answer the healthy upstream gives, or an error with no text
 * other than a start of it: never another text as a success.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/index.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

const DEFAULTS = { firstTokenMs: 0, tokenMs: 0, answerTokens: 120 };
const UPSTREAMS = [
  ['anthropic', 'claude-sonnet-4-5'],
  ['openai', 'gpt-4.1'],
] as const;
const CLIENTS = ['anthropic messages', 'openai chat'] as const;
const ALIGNABLE = ['sentence_restart', 'full_restart', 'anchor', 'preamble then=overlap chars=30', 'overlap'];
const UNALIGNABLE = ['paraphrase', 'different'];
const CUT = 40;

let harness: Harness;
let gateway: Gateway;
beforeAll(async () => {
  harness = await createHarness({ defaults: DEFAULTS });
  gateway = await harness.start({
    breaker: false,
    routes: { 'via-anthropic': ['anthropic/claude-sonnet-4-5'], 'via-openai': ['openai/gpt-4.1'] },
  });
});
afterAll(async () => {
  await harness.close();
});

const prompt = 'Write at length about resilient streams.';

/** The text a client reads, or the error it met and the text before it. */
async function ask(client: (typeof CLIENTS)[number], route: string, stream: boolean) {
  let text = '';
  try {
    if (client === 'anthropic messages') {
      const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: GATEWAY_KEY, maxRetries: 0 });
      const params = {
        model: route,
        max_tokens: 2000,
        messages: [{ role: 'user' as const, content: prompt }],
      };
      if (stream) {
        const s = anthropic.messages.stream(params);
        for await (const event of s)
          if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
            text += event.delta.text;
      } else {
        const m = await anthropic.messages.create(params);
        text = m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      }
    } else {
      const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
      const params = {
        model: route,
        max_tokens: 2000,
        messages: [{ role: 'user' as const, content: prompt }],
      };
      if (stream) {
        const s = await openai.chat.completions.create({ ...params, stream: true });
        for await (const chunk of s) text += chunk.choices[0]?.delta.content ?? '';
      } else {
        const c = await openai.chat.completions.create(params);
        text = c.choices[0]?.message.content ?? '';
      }
    }
    return { text, error: undefined };
  } catch (error) {
    return { text, error };
  }
}

describe.each(UPSTREAMS)('upstream %s (%s)', (provider, model) => {
  const route = `via-${provider}`;
  let original = '';
  beforeAll(async () => {
    harness.mock.setScenario({ defaults: DEFAULTS });
    original = (await ask('openai chat', route, false)).text;
    expect(original.split(' ').length).toBeGreaterThan(CUT + 20);
  });

  describe.each(CLIENTS)('%s', (client) => {
    describe.each([true, false])('streamed: %s', (stream) => {
      const scenario = (behaviour: string) => {
        harness.mock.reset();
        harness.mock.setScenario({
          defaults: DEFAULTS,
          models: { [model]: { faults: [{ fault: `cut after=${CUT}`, times: 1 }], continuation: behaviour } },
        } as never);
      };

      it.each(ALIGNABLE)('%s: the client reads exactly the original answer', async (behaviour) => {
        scenario(behaviour);
        const r = await ask(client, route, stream);
        expect(r.error).toBeUndefined();
        expect(r.text).toBe(original);
        expect(harness.mock.log().filter((e) => e.continuation).length).toBeGreaterThan(0);
      });

      it.each(UNALIGNABLE)('%s: an error, and no text but a start of the original', async (behaviour) => {
        scenario(behaviour);
        const r = await ask(client, route, stream);
        expect(r.error).toBeInstanceOf(Error);
        expect(original.startsWith(r.text)).toBe(true);
        expect(r.text.length).toBeLessThan(original.length);
      });
    });
  });
});
