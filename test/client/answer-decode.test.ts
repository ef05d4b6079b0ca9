/**
 * The library's non-streamed answers are validated from what the codecs write, not cast: what
 * the SDK-shaped types promise holds, what a same-format upstream adds passes through, and a
 * body that is not the promised object fails naming the field.
 */
import { describe, expect, it } from 'vitest';
import { OutlastError } from '../../src/errors/index.ts';
import { anthropicCodec } from '../../src/wire/anthropic/index.ts';
import { toAnthropicMessage } from '../../src/wire/anthropic/sdk-types.ts';
import { openaiCodec } from '../../src/wire/openai/index.ts';
import { toChatCompletion } from '../../src/wire/openai/sdk-types.ts';

const upstreamMessage = {
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model: 'claude-x',
  content: [
    { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'rain' } },
    { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
    { type: 'text', text: 'It rained.', citations: null },
  ],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 3, output_tokens: 4, server_tool_use: { web_search_requests: 1 } },
  container: null,
};

describe('non-streamed answers, decoded', () => {
  it('an Anthropic same-format answer keeps its server tool blocks and extra fields', () => {
    const canonical = anthropicCodec.decodeResponse(upstreamMessage);
    const message = toAnthropicMessage(anthropicCodec.encodeResponse(canonical, { model: 'claude-x' }));
    expect(message.content.map((b) => b.type)).toEqual(['server_tool_use', 'web_search_tool_result', 'text']);
    expect(message.usage.input_tokens).toBe(3);
    expect(message).toMatchObject({ container: null, stop_sequence: null });
  });

  it('a body that is not a Message fails as invalid_response naming the field', () => {
    const bad = { ...upstreamMessage, content: [{ type: 'text' }] };
    let caught: unknown;
    try {
      toAnthropicMessage(bad);
    } catch (error) {
      caught = error;
    }
    expect(OutlastError.isInstance(caught)).toBe(true);
    expect((caught as OutlastError).kind).toBe('invalid_response');
    expect((caught as OutlastError).message).toMatch(/content\.0\.text/);
  });

  it('a ChatCompletion whose upstream left out message.content gets null, as the type promises', () => {
    const upstream = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-x',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          finish_reason: 'tool_calls',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    };
    const canonical = openaiCodec.decodeResponse(upstream);
    const written = openaiCodec.encodeResponse(canonical, { model: 'gpt-x' }) as {
      choices: { message: object }[];
    };
    expect('content' in written.choices[0]!.message).toBe(false);
    const completion = toChatCompletion(written);
    expect(completion.choices[0]?.message.content).toBeNull();
    expect(completion.choices[0]?.message.tool_calls?.[0]?.function.name).toBe('f');
  });

  it("a ChatCompletion keeps the upstream's logprobs (asked for with logprobs: true)", () => {
    const logprobs = {
      content: [{ token: 'Hi', logprob: -0.1, bytes: [72, 105], top_logprobs: [] }],
      refusal: null,
    };
    const upstream = {
      id: 'chatcmpl-2',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-x',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hi', refusal: null },
          finish_reason: 'stop',
          logprobs,
        },
      ],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    };
    const canonical = openaiCodec.decodeResponse(upstream);
    const completion = toChatCompletion(openaiCodec.encodeResponse(canonical, { model: 'gpt-x' }));
    expect(completion.choices[0]?.logprobs).toEqual(logprobs);
  });

  it('a ChatCompletion whose compatible upstream sent tool_calls: null keeps it', () => {
    const upstream = {
      id: 'chatcmpl-3',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-x',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Hi', tool_calls: null }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    };
    const completion = toChatCompletion(
      openaiCodec.encodeResponse(openaiCodec.decodeResponse(upstream), { model: 'gpt-x' }),
    );
    expect(completion.choices[0]?.message).toMatchObject({ content: 'Hi', tool_calls: null });
  });
});
