import { describe, expect, it } from 'vitest';
import { OutlastError } from '../../errors/index.ts';
import type { CanonicalResponse } from '../canonical/index.ts';
import { fixtureNames, readJsonFixture } from './fixtures.ts';
import { anthropicCodec } from './index.ts';

const decode = (name: string): CanonicalResponse => anthropicCodec.decodeResponse(readJsonFixture(name));

describe('anthropic response round trip', () => {
  it.each(fixtureNames('response.', '', '.json'))(
    '%s: Anthropic → canonical → Anthropic is the identity',
    (name) => {
      const body = readJsonFixture(name) as { model: string };
      const canonical = anthropicCodec.decodeResponse(body);
      expect(anthropicCodec.encodeResponse(canonical, { model: body.model })).toEqual(body);
    },
  );
});

describe('anthropic response decoding', () => {
  it.each([
    ['response.nonstream.text.json', 'end_turn'],
    ['response.nonstream.max_tokens.json', 'max_tokens'],
    ['response.nonstream.stop_sequence.json', 'stop_sequence'],
    ['response.nonstream.tool_use.json', 'tool_use'],
    ['response.nonstream.refusal.json', 'refusal'],
    ['response.nonstream.pause_turn_server_tool.json', 'pause_turn'],
    ['response.nonstream.context_window_and_extras.json', 'context_window_exceeded'],
  ])('%s stops with %s', (name, reason) => {
    expect(decode(name).stopReason).toBe(reason);
  });

  it('reads the matched stop sequence and the cache usage', () => {
    expect(decode('response.nonstream.stop_sequence.json').stopSequence).toBe(', 5');
    expect(decode('response.nonstream.tool_use.json').usage).toEqual({
      inputTokens: 377,
      outputTokens: 65,
      cacheReadTokens: 120,
      cacheWriteTokens: 0,
    });
    expect(decode('response.nonstream.context_window_and_extras.json').usage).toEqual({
      inputTokens: 180,
      outputTokens: 1750,
      cacheReadTokens: 196000,
      cacheWriteTokens: 2048,
    });
  });

  it('keeps parallel tool calls with their ids, and thinking with its signature', () => {
    expect(decode('response.nonstream.parallel_tool_use.json').content).toEqual([
      {
        type: 'tool_use',
        id: 'toolu_01Paris0000000000000001',
        name: 'get_weather',
        input: { city: 'Paris' },
      },
      {
        type: 'tool_use',
        id: 'toolu_01Tokyo0000000000000002',
        name: 'get_weather',
        input: { city: 'Tokyo' },
      },
    ]);
    expect(decode('response.nonstream.thinking.json').content.map((b) => b.type)).toEqual([
      'thinking',
      'redacted_thinking',
      'text',
    ]);
    expect(decode('response.nonstream.thinking.json').content[0]).toMatchObject({
      signature: 'RXhhbXBsZVNpZ25hdHVyZU5vdFJlYWw=',
    });
  });

  it('leaves server-tool blocks out of the canonical content (they ran inside Anthropic)', () => {
    const content = decode('response.nonstream.pause_turn_server_tool.json').content;
    expect(content.map((b) => (b.type === 'text' ? b.text : b.type))).toEqual([
      'Let me search for that.',
      'Still searching.',
    ]);
  });

  it('does not spread Anthropic-only fields into a response that came from elsewhere', () => {
    const foreign: CanonicalResponse = {
      id: 'chatcmpl-1',
      model: 'gpt-4.1',
      content: [{ type: 'text', text: 'hi', passthrough: { format: 'openai', fields: { annotations: [] } } }],
      stopReason: 'end_turn',
      usage: { inputTokens: 3, outputTokens: 1 },
      passthrough: { format: 'openai', fields: { system_fingerprint: 'fp' } },
    };
    expect(anthropicCodec.encodeResponse(foreign, { model: 'default' })).toEqual({
      id: 'chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'default',
      content: [{ type: 'text', text: 'hi' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 3, output_tokens: 1 },
    });
  });

  it.each([
    [{ type: 'error', error: { type: 'api_error', message: 'x' } }],
    [
      {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'm',
        content: 'text',
        stop_reason: 'end_turn',
        usage: {},
      },
    ],
    [
      {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'm',
        content: [{ type: 'tool_use', id: 't', name: 'n', input: 'not an object' }],
        stop_reason: 'tool_use',
        usage: {},
      },
    ],
  ])('a body that is not a Message is invalid_response: %j', (body) => {
    try {
      anthropicCodec.decodeResponse(body);
      expect.unreachable();
    } catch (error) {
      expect(OutlastError.isInstance(error) && error.kind).toBe('invalid_response');
    }
  });
});
