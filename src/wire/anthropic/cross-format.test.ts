/**
 * Anthropic ↔ the other codecs through the canonical model: what a fallback from one
 * provider to another sends and answers. Only behaviour this codec owns is asserted.
 */
import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../canonical/index.ts';
import { openaiCodec } from '../openai/index.ts';
import { comparable, parseSse, readFixture, readJsonFixture } from './fixtures.ts';
import { anthropicCodec } from './index.ts';

describe('OpenAI-shaped requests sent to Anthropic', () => {
  it('turn system messages, tool calls, tool results and data-URL images into Anthropic blocks', () => {
    const canonical = openaiCodec.decodeRequest({
      model: 'default',
      max_completion_tokens: 200,
      parallel_tool_calls: false,
      messages: [
        { role: 'developer', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather here?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'w', arguments: '{"c":"Oslo"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '4°C' },
      ],
      tools: [
        { type: 'function', function: { name: 'w', parameters: { properties: { c: { type: 'string' } } } } },
      ],
      seed: 7,
    });
    const body = anthropicCodec.encodeRequest(canonical, { model: 'claude-sonnet-4-5', stream: true }).body;
    expect(body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 200,
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather here?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'w', input: { c: 'Oslo' } }] },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: '4°C' }] }],
        },
      ],
      tools: [{ name: 'w', input_schema: { type: 'object', properties: { c: { type: 'string' } } } }],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      stream: true,
    });
  });
});

describe('Anthropic answers re-encoded for an OpenAI client and back', () => {
  it('a tool-use response keeps its calls, ids, stop reason and usage', () => {
    const canonical = anthropicCodec.decodeResponse(readJsonFixture('response.nonstream.tool_use.json'));
    const openai = openaiCodec.encodeResponse(canonical, { model: 'm' });
    const back = anthropicCodec.encodeResponse(openaiCodec.decodeResponse(openai), {
      model: 'claude-sonnet-4-5-20250929',
    });
    expect(back).toMatchObject({
      content: [
        { type: 'text', text: "I'll check the current weather in Paris for you." },
        {
          type: 'tool_use',
          id: 'toolu_01A09q90qw90lq917835lq9',
          name: 'get_weather',
          input: { location: 'Paris' },
        },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 377, output_tokens: 65, cache_read_input_tokens: 120 },
    });
  });

  it('a streamed answer survives Anthropic → OpenAI SSE → Anthropic with its blocks and stop reason', () => {
    const anthropicDecoder = anthropicCodec.createStreamDecoder();
    const parts = parseSse(readFixture('stream.parallel_tool_use.sse')).flatMap((e) =>
      anthropicDecoder.push(e),
    );
    const openaiEncoder = openaiCodec.createStreamEncoder({ model: 'm', includeUsage: true });
    const openaiSse = parts.map((p) => openaiEncoder.encode(p)).join('') + openaiEncoder.end();
    const openaiDecoder = openaiCodec.createStreamDecoder();
    const again: StreamPart[] = parseSse(openaiSse).flatMap((e) => openaiDecoder.push(e));
    again.push(...openaiDecoder.end());
    const encoder = anthropicCodec.createStreamEncoder({ model: 'claude-sonnet-4-5' });
    const events = comparable(parseSse(again.map((p) => encoder.encode(p)).join('')));
    const blocks = events.filter((e) => e.event === 'content_block_start').map((e) => e.data);
    expect(blocks).toEqual([
      {
        type: 'content_block_start',
        index: 0,
        content_block: {
          type: 'tool_use',
          id: 'toolu_01Paris0000000000000001',
          name: 'get_weather',
          input: {},
        },
      },
      {
        type: 'content_block_start',
        index: 1,
        content_block: {
          type: 'tool_use',
          id: 'toolu_01Tokyo0000000000000002',
          name: 'get_weather',
          input: {},
        },
      },
    ]);
    expect(events.at(-2)?.data).toMatchObject({
      delta: { stop_reason: 'tool_use' },
      usage: { output_tokens: 88 },
    });
    expect(events.at(-1)?.event).toBe('message_stop');
  });
});
