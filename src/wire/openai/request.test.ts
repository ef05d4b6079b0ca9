import { describe, expect, it } from 'vitest';
import { OutlastError } from '../../errors/index.ts';
import type { CanonicalRequest } from '../canonical/index.ts';
import { fixtureNames, readJsonFixture } from './fixtures.ts';
import { openaiCodec } from './index.ts';

function roundTrip(body: unknown): unknown {
  const canonical = openaiCodec.decodeRequest(body);
  return openaiCodec.encodeRequest(canonical, { model: canonical.model, stream: canonical.stream === true })
    .body;
}

function badRequestMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(OutlastError.isInstance(error)).toBe(true);
    expect((error as OutlastError).kind).toBe('bad_request');
    return (error as OutlastError).message;
  }
  throw new Error('expected a bad_request');
}

describe('openai request round trip', () => {
  it.each(fixtureNames('request.'))('%s: OpenAI → canonical → OpenAI is identity', (name) => {
    const body = readJsonFixture(name);
    expect(roundTrip(body)).toEqual(body);
  });
});

describe('openai request → canonical', () => {
  it('turns developer/system messages into system, tool calls into tool_use and tool messages into one user turn', () => {
    const c = openaiCodec.decodeRequest(readJsonFixture('request.multi_turn_parallel_tools.json'));
    expect(c.system?.map((b) => b.text)).toEqual(['You are a travel assistant. Be brief.']);
    expect(c.maxTokens).toBe(300);
    expect(c.stopSequences).toEqual(['END']);
    expect(c.toolChoice).toEqual({ type: 'any' });
    expect(c.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    const assistant = c.messages[1]!;
    expect(assistant.content.map((b) => b.type)).toEqual(['text', 'tool_use', 'tool_use']);
    expect(assistant.content[2]).toMatchObject({
      id: 'call_rome',
      name: 'get_weather',
      input: { location: 'Rome', unit: 'c' },
    });
    expect(c.messages[2]!.content).toMatchObject([
      {
        type: 'tool_result',
        toolUseId: 'call_paris',
        content: [{ type: 'text', text: '15 degrees, light rain' }],
      },
      { type: 'tool_result', toolUseId: 'call_rome', content: [{ type: 'text', text: '24 degrees, sunny' }] },
    ]);
    expect(c.tools?.[0]?.inputSchema).toMatchObject({ required: ['location'] });
  });

  it('reads images as base64 (data URL) or URL sources, and keeps unknown fields in passthrough', () => {
    const c = openaiCodec.decodeRequest(readJsonFixture('request.tools_image_developer.json'));
    expect(c.messages[0]!.content[1]).toMatchObject({
      type: 'image',
      source: { type: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' },
    });
    const d = openaiCodec.decodeRequest(readJsonFixture('request.system_parts_and_unknown_fields.json'));
    expect(d.messages[0]!.content[1]).toMatchObject({
      source: { type: 'url', url: 'https://example.com/cat.png' },
    });
    expect(d.passthrough?.format).toBe('openai');
    expect(d.passthrough?.fields).toMatchObject({
      seed: 42,
      metadata: { team: 'vision' },
      reasoning_effort: 'low',
    });
    expect(d.responseFormat).toMatchObject({ type: 'json_schema', name: 'answer', strict: true });
    expect(d.includeUsage).toBe(true);
  });

  it.each([
    [
      { model: 'm', messages: [{ role: 'user', content: 5 }] },
      'messages.0.content: expected string or array',
    ],
    [{ model: 'm', messages: [] }, 'messages'],
    [{ messages: [{ role: 'user', content: 'x' }] }, 'model'],
    [{ model: 'm', messages: [{ role: 'wizard', content: 'x' }] }, 'messages.0.role'],
    [
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 3 }] }] },
      'messages.0.content.0.text',
    ],
    [
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] },
      'messages.0.content.0.type',
    ],
    [
      {
        model: 'm',
        messages: [
          {
            role: 'assistant',
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{' } }],
          },
        ],
      },
      'messages.0.tool_calls.0.function.arguments',
    ],
    [{ model: 'm', messages: [{ role: 'tool', content: 'x' }] }, 'messages.0.tool_call_id'],
    [{ model: 'm', messages: [{ role: 'user', content: 'x' }], tool_choice: 'sometimes' }, 'tool_choice'],
  ])('rejects %j with a bad_request naming %s', (body, path) => {
    expect(badRequestMessage(() => openaiCodec.decodeRequest(body))).toContain(path);
  });

  it.each([
    [{ n: 2 }, ['n']],
    [{ modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' } }, ['modalities']],
    [{ audio: { voice: 'alloy', format: 'wav' } }, ['audio']],
    [{ n: 1, modalities: ['text'] }, []],
  ])('keeps %j as it came, to relay to an OpenAI-format target only (needs %j)', (extra, paths) => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'x' }], ...extra };
    const request = openaiCodec.decodeRequest(body);
    expect(request.origin?.needs.map((n) => n.path) ?? []).toEqual(paths);
    if (paths.length > 0) expect(request.origin).toMatchObject({ dialect: 'openai-chat', body });
  });
});

describe('canonical → openai request', () => {
  const base: CanonicalRequest = {
    model: 'route',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
  };

  it('posts to /chat/completions, always asks a stream for usage and sends the key as a Bearer token', () => {
    const spec = openaiCodec.encodeRequest({ ...base, maxTokens: 10 }, { model: 'gpt-4.1', stream: true });
    expect(spec.path).toBe('/chat/completions');
    expect(spec.body).toEqual({
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'Hi' }],
      max_completion_tokens: 10,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(openaiCodec.authHeaders('sk-1')).toEqual({ authorization: 'Bearer sk-1' });
  });

  it('translates an Anthropic-shaped conversation: system first, tool results as tool messages before the user text, signed thinking dropped', () => {
    const request: CanonicalRequest = {
      model: 'route',
      system: [
        { type: 'text', text: 'Be brief.' },
        { type: 'text', text: 'Use tools.' },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'I should call the tool.', signature: 'sig' },
            { type: 'redacted_thinking', data: 'xyz' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { location: 'Rome' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', toolUseId: 'toolu_1', content: [{ type: 'text', text: '15C' }] },
            {
              type: 'tool_result',
              toolUseId: 'toolu_2',
              content: [{ type: 'text', text: 'boom' }],
              isError: true,
            },
            { type: 'text', text: 'Thanks' },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
          ],
        },
      ],
      tools: [{ name: 'get_weather', inputSchema: { type: 'object', properties: {} } }],
      toolChoice: { type: 'tool', name: 'get_weather' },
      stopSequences: ['X'],
      responseFormat: { type: 'json_object' },
    };
    const body = openaiCodec.encodeRequest(request, { model: 'gpt-4.1', stream: false }).body;
    expect(body).toEqual({
      model: 'gpt-4.1',
      messages: [
        { role: 'system', content: 'Be brief.\n\nUse tools.' },
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'toolu_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
            },
            {
              id: 'toolu_2',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"location":"Rome"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: '15C' },
        { role: 'tool', tool_call_id: 'toolu_2', content: 'Error: boom' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Thanks' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
          ],
        },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      stop: ['X'],
      response_format: { type: 'json_object' },
    });
  });

  it('encodes a base64 image as a data URL', () => {
    const body = openaiCodec.encodeRequest(
      {
        model: 'r',
        messages: [
          {
            role: 'user',
            content: [{ type: 'image', source: { type: 'base64', mediaType: 'image/jpeg', data: 'AAAA' } }],
          },
        ],
      },
      { model: 'g', stream: false },
    ).body as { messages: Array<{ content: unknown }> };
    expect(body.messages[0]!.content).toEqual([
      { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AAAA' } },
    ]);
  });

  it.each([
    [{ ...base, topK: 5 }, 'topK'],
    [
      { ...base, messages: [{ role: 'user', content: [{ type: 'thinking', thinking: 'x' }] }] },
      'messages.0.content.0',
    ],
    [
      {
        ...base,
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                toolUseId: 't',
                content: [{ type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'A' } }],
              },
            ],
          },
        ],
      },
      'messages.0.content.0.content.0',
    ],
    [
      {
        ...base,
        messages: [{ role: 'assistant', content: [{ type: 'tool_result', toolUseId: 't', content: [] }] }],
      },
      'messages.0.content.0',
    ],
  ] as Array<[CanonicalRequest, string]>)('refuses what OpenAI cannot carry (%#: %s)', (request, path) => {
    expect(
      badRequestMessage(() => openaiCodec.encodeRequest(request, { model: 'g', stream: false })),
    ).toContain(path);
  });

  it('spreads passthrough only when it is OpenAI passthrough', () => {
    const request: CanonicalRequest = {
      ...base,
      passthrough: { format: 'anthropic', fields: { service_tier: 'auto' } },
    };
    expect(openaiCodec.encodeRequest(request, { model: 'g', stream: false }).body).not.toHaveProperty(
      'service_tier',
    );
    const ours: CanonicalRequest = { ...base, passthrough: { format: 'openai', fields: { seed: 1 } } };
    expect(openaiCodec.encodeRequest(ours, { model: 'g', stream: false }).body).toMatchObject({ seed: 1 });
  });
});
