/**
 * The gateway's Messages answers carry every field the official Anthropic SDK's types require,
 * even when null: the lists below are checked against `Anthropic.Message`, `Usage`,
 * `TextBlock` and `ToolUseBlock` (and, for streams, `RawMessageStartEvent`,
 * `RawMessageDeltaEvent` and `MessageDeltaUsage`) at compile time (a required field the SDK
 * adds fails the type check until it is listed), and against real answers at run time, from an
 * Anthropic and from an OpenAI-format target, text and tool use, streamed and not.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/index.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

// biome-ignore lint/complexity/noBannedTypes: {} is how a required key is told from an optional one
type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];
/** Exactly the required keys of T: a missing or an extra one is a type error. */
const requiredKeys =
  <T>() =>
  <L extends Record<RequiredKeys<T>, true>>(list: L & Record<Exclude<keyof L, RequiredKeys<T>>, never>) =>
    Object.keys(list);

const MESSAGE = requiredKeys<Anthropic.Message>()({
  id: true,
  container: true,
  content: true,
  diagnostics: true,
  model: true,
  role: true,
  stop_details: true,
  stop_reason: true,
  stop_sequence: true,
  type: true,
  usage: true,
});
const USAGE = requiredKeys<Anthropic.Usage>()({
  cache_creation: true,
  cache_creation_input_tokens: true,
  cache_read_input_tokens: true,
  inference_geo: true,
  input_tokens: true,
  output_tokens: true,
  output_tokens_details: true,
  server_tool_use: true,
  service_tier: true,
  speed: true,
});
const TEXT = requiredKeys<Anthropic.TextBlock>()({ citations: true, text: true, type: true });
const TOOL_USE = requiredKeys<Anthropic.ToolUseBlock>()({
  id: true,
  caller: true,
  input: true,
  name: true,
  type: true,
});

const START_EVENT = requiredKeys<Anthropic.RawMessageStartEvent>()({ message: true, type: true });
const DELTA_EVENT = requiredKeys<Anthropic.RawMessageDeltaEvent>()({ delta: true, type: true, usage: true });
const DELTA = requiredKeys<Anthropic.RawMessageDeltaEvent.Delta>()({
  container: true,
  stop_details: true,
  stop_reason: true,
  stop_sequence: true,
});
const DELTA_USAGE = requiredKeys<Anthropic.MessageDeltaUsage>()({
  cache_creation_input_tokens: true,
  cache_read_input_tokens: true,
  input_tokens: true,
  output_tokens: true,
  output_tokens_details: true,
  server_tool_use: true,
});
// message_start's message is a Message: the same list (checked by the type of `message`).
const startMessage: Anthropic.RawMessageStartEvent['message'] extends Anthropic.Message ? true : never = true;

function missing(value: object, keys: readonly string[]): string[] {
  return keys.filter((key) => !(key in value));
}

let harness: Harness;
let gateway: Gateway;
beforeAll(async () => {
  harness = await createHarness({ defaults: { firstTokenMs: 0, tokenMs: 1, answerTokens: 8 } });
  gateway = await harness.start({ routes: { claude: ['anthropic/claude-up'], gpt: ['openai/gpt-up'] } });
});
afterAll(async () => {
  await harness.close();
});

const client = () => new Anthropic({ baseURL: gateway.url, apiKey: GATEWAY_KEY, maxRetries: 0 });
const tools = [
  {
    name: 'get_weather',
    input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } },
  },
];

describe('Messages answers have every field the SDK types require', () => {
  it.each(['claude', 'gpt'])('over route %s: text and tool use', async (route) => {
    const text = await client().messages.create({
      model: route,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const call = await client().messages.create({
      model: route,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'weather?' }],
      tools,
      tool_choice: { type: 'any' },
    });
    for (const message of [text, call]) {
      expect(missing(message, MESSAGE)).toEqual([]);
      expect(missing(message.usage, USAGE)).toEqual([]);
    }
    const textBlock = text.content.find((b) => b.type === 'text');
    const toolBlock = call.content.find((b) => b.type === 'tool_use');
    // `citations` is left out rather than null: the AI SDK's Anthropic provider refuses a null there.
    expect(textBlock && missing(textBlock, TEXT)).toEqual(['citations']);
    expect(toolBlock && missing(toolBlock, TOOL_USE)).toEqual([]);
  });

  it.each(['claude', 'gpt'])('over route %s, streamed: message_start and message_delta', async (route) => {
    expect(startMessage).toBe(true);
    for (const request of [
      { messages: [{ role: 'user' as const, content: 'hi' }] },
      {
        messages: [{ role: 'user' as const, content: 'weather?' }],
        tools,
        tool_choice: { type: 'any' as const },
      },
    ]) {
      const events: Anthropic.RawMessageStreamEvent[] = [];
      const stream = await client().messages.create({
        model: route,
        max_tokens: 100,
        stream: true,
        ...request,
      });
      for await (const event of stream) events.push(event);
      const start = events.find((e) => e.type === 'message_start');
      const delta = events.find((e) => e.type === 'message_delta');
      if (!start || !delta)
        throw new Error(`no message_start or message_delta in ${events.map((e) => e.type)}`);
      expect(missing(start, START_EVENT)).toEqual([]);
      expect(missing(start.message, MESSAGE)).toEqual([]);
      expect(missing(start.message.usage, USAGE)).toEqual([]);
      expect(start.message).toMatchObject({ stop_reason: null, stop_sequence: null, content: [] });
      expect(typeof start.message.usage.input_tokens).toBe('number');
      expect(typeof start.message.usage.output_tokens).toBe('number');
      expect(missing(delta, DELTA_EVENT)).toEqual([]);
      expect(missing(delta.delta, DELTA)).toEqual([]);
      expect(missing(delta.usage, DELTA_USAGE)).toEqual([]);
      // The SDK's own accumulation ends with a Message that has them too.
      const final = await client()
        .messages.stream({ model: route, max_tokens: 100, ...request })
        .finalMessage();
      expect(missing(final, MESSAGE)).toEqual([]);
      expect(final.stop_details).toBeNull();
    }
  });
});
