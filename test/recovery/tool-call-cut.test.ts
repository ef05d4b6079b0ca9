/**
 * Atomic tool calls (issue 13): a stream cut inside a tool call's JSON arguments never hands the
 * caller half a call. Cut after Claude's "I'll look that up." (after the commit point) the answer
 * is continued from the text before the call; cut when the call is the answer's first content
 * (before the commit point) the attempt is retried invisibly. Either way the caller gets the
 * whole call with arguments that parse to what the model meant. Library and gateway, Anthropic and
 * OpenAI dialects, streaming and not.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type OutlastClient } from '../../src/client/index.ts';
import type { Gateway } from '../../src/gateway/index.ts';
import { providersFor } from '../engine/support/harness.ts';
import { createHarness, GATEWAY_KEY, type Harness } from '../gateway/support.ts';

const CLAUDE = 'claude-sonnet-4-5';
const GPT = 'gpt-4.1';
const PROMPT = 'What is the weather in Paris?';
const TOOL = {
  name: 'get_weather',
  description: 'The weather in a city',
  schema: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer' }, metric: { type: 'boolean' } },
    required: ['city', 'days', 'metric'],
  },
} as const;

type Dialect = 'anthropic' | 'openai';
type Call = { name: string; input: unknown; text: string };

let harness: Harness;
let gateway: Gateway;
let client: OutlastClient;
const ROOMY = { connect: 3000, headers: 3000, firstToken: 3000, idle: 3000, total: 20_000, deadline: 40_000 };

beforeAll(async () => {
  harness = await createHarness();
  const routes = { claude: [`anthropic/${CLAUDE}`], gpt: [`openai/${GPT}`] };
  const retry = { attempts: 2, baseMs: 10, capMs: 40 };
  gateway = await harness.start({ routes, timeout: ROOMY, retry });
  client = createClient({ providers: providersFor(harness.mock), routes, timeout: ROOMY, retry });
});
afterAll(async () => {
  await client.close();
  await harness.close();
});

const anthropicParams = (model: string) => ({
  model,
  max_tokens: 400,
  messages: [{ role: 'user' as const, content: PROMPT }],
  tools: [{ name: TOOL.name, description: TOOL.description, input_schema: TOOL.schema }],
  tool_choice: { type: 'tool' as const, name: TOOL.name },
});
const openaiParams = (model: string) => ({
  model,
  max_tokens: 400,
  messages: [{ role: 'user' as const, content: PROMPT }],
  tools: [
    {
      type: 'function' as const,
      function: { name: TOOL.name, description: TOOL.description, parameters: TOOL.schema },
    },
  ],
  tool_choice: 'required' as const,
});

async function ask(entry: 'library' | 'gateway', dialect: Dialect, stream: boolean): Promise<Call> {
  if (dialect === 'anthropic') {
    const sdk =
      entry === 'gateway'
        ? new Anthropic({ baseURL: gateway.url, apiKey: GATEWAY_KEY, maxRetries: 0 })
        : undefined;
    // The SDK's and the library's tool unions are wider than this literal; the body is what the wire takes.
    const params = anthropicParams('claude') as never;
    const message = stream
      ? await (sdk ? sdk.messages.stream(params) : client.messages.stream(params)).finalMessage()
      : await (sdk ? sdk.messages.create(params) : client.messages.create(params));
    const blocks = (message as { content: unknown }).content as Array<{
      type: string;
      name?: string;
      input?: unknown;
      text?: string;
    }>;
    const use = blocks.find((b) => b.type === 'tool_use');
    return {
      name: use?.name ?? '',
      input: use?.input,
      text: blocks.map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join(''),
    };
  }
  const sdk =
    entry === 'gateway'
      ? new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 })
      : undefined;
  const params = openaiParams('gpt');
  if (!stream) {
    const c = sdk ? await sdk.chat.completions.create(params) : await client.chat.completions.create(params);
    const call = c.choices[0]?.message.tool_calls?.[0] as
      | { function: { name: string; arguments: string } }
      | undefined;
    return {
      name: call?.function.name ?? '',
      input: JSON.parse(call?.function.arguments ?? 'null'),
      text: c.choices[0]?.message.content ?? '',
    };
  }
  const chunks = sdk
    ? await sdk.chat.completions.create({ ...params, stream: true })
    : await client.chat.completions.create({ ...params, stream: true });
  let name = '';
  let args = '';
  let text = '';
  for await (const chunk of chunks) {
    const delta = chunk.choices[0]?.delta;
    text += delta?.content ?? '';
    for (const t of delta?.tool_calls ?? []) {
      name += t.function?.name ?? '';
      args += t.function?.arguments ?? '';
    }
  }
  return { name, input: JSON.parse(args), text };
}

function expectedCall(dialect: Dialect, preamble: string | undefined) {
  const body = dialect === 'anthropic' ? { ...anthropicParams(CLAUDE) } : { ...openaiParams(GPT) };
  const answer = harness.mock.expectedAnswer({
    format: dialect,
    body,
    ...(preamble
      ? { scenario: { models: { [dialect === 'anthropic' ? CLAUDE : GPT]: { toolPreamble: preamble } } } }
      : {}),
  } as never);
  return answer;
}

describe.each(['library', 'gateway'] as const)('%s', (entry) => {
  describe.each(['anthropic', 'openai'] as const)('%s dialect', (dialect) => {
    const model = dialect === 'anthropic' ? CLAUDE : GPT;
    describe.each([false, true])('streaming %s', (stream) => {
      it.each([
        ['after the text before it (continued from that text)', "I'll look that up."],
        ['as the first content (retried before the commit)', undefined],
      ])('a cut inside the arguments %s: the whole call, arguments that parse', async (_, preamble) => {
        harness.mock.setScenario({
          models: {
            [model]: {
              ...(preamble ? { toolPreamble: preamble } : {}),
              faults: [{ fault: 'cut_in_tool args=2', times: 1 }],
            },
          },
        } as never);
        harness.mock.reset();
        const expected = expectedCall(dialect, preamble);
        const got = await ask(entry, dialect, stream);
        expect(harness.mock.log().length).toBeGreaterThanOrEqual(2);
        expect(harness.mock.log()[0]?.fault).toContain('cut_in_tool');
        expect(got.name).toBe(TOOL.name);
        expect(got.input).toEqual(expected.toolCalls[0]?.input);
        expect(got.text).toBe(preamble ?? '');
      });
    });
  });
});
