import { describe, expect, it } from 'vitest';
import { OutlastError } from '../../errors/index.ts';
import type { CanonicalRequest } from '../canonical/index.ts';
import { geminiCodec } from '../gemini/index.ts';
import { openaiCodec } from '../openai/index.ts';
import { fixtureNames, readJsonFixture } from './fixtures.ts';
import { anthropicCodec } from './index.ts';

function roundTrip(body: unknown): unknown {
  const raw = body as { model: string; stream?: boolean };
  const canonical = anthropicCodec.decodeRequest(body);
  return anthropicCodec.encodeRequest(canonical, { model: raw.model, stream: raw.stream === true }).body;
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

describe('anthropic request round trip', () => {
  it.each(fixtureNames('request.', '', '.json'))(
    '%s: Anthropic → canonical → Anthropic is the identity',
    (name) => {
      const body = readJsonFixture(name);
      expect(roundTrip(body)).toEqual(body);
    },
  );

  it('names the field of an invalid body', () => {
    const msg = badRequestMessage(() =>
      anthropicCodec.decodeRequest({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 5 }] }),
    );
    expect(msg).toMatch(/^messages\.0\.content: expected string or array/);
  });
});

describe('anthropic request parsing', () => {
  it('reads multi-turn parallel tool use with ids, results and errors', () => {
    const request = anthropicCodec.decodeRequest(readJsonFixture('request.multi_turn_parallel_tools.json'));
    expect(request.system).toEqual([{ type: 'text', text: 'You plan trips. Use the tools.' }]);
    expect(request.toolChoice).toEqual({ type: 'any' });
    const calls = request.messages[1]?.content.filter((b) => b.type === 'tool_use');
    expect(calls?.map((c) => c.type === 'tool_use' && c.id)).toHaveLength(4);
    expect(request.messages[2]?.content[2]).toMatchObject({
      type: 'tool_result',
      toolUseId: 'toolu_01Paris0000000000000003',
      isError: true,
      content: [{ type: 'text', text: 'service unavailable' }],
    });
  });

  it('reads images by URL and inline, thinking history, structured output and the end user', () => {
    const images = anthropicCodec.decodeRequest(readJsonFixture('request.images_and_cache_control.json'));
    expect(images.messages[0]?.content.slice(0, 2).map((b) => b.type === 'image' && b.source)).toEqual([
      {
        type: 'url',
        url: 'https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg',
      },
      { type: 'base64', mediaType: 'image/jpeg', data: '/9j/4AAQSkZJRgABAQ==' },
    ]);
    expect(images.passthrough).toEqual({ format: 'anthropic', fields: { service_tier: 'standard_only' } });
    const thinking = anthropicCodec.decodeRequest(readJsonFixture('request.thinking_history.json'));
    expect(thinking.thinking).toEqual({ type: 'enabled', budgetTokens: 8000 });
    expect(thinking.parallelToolCalls).toBe(false);
    expect(thinking.messages[1]?.content[0]).toEqual({
      type: 'thinking',
      thinking: 'I need the weather tool, then convert.',
      signature: 'RXhhbXBsZVNpZ25hdHVyZU9uZQ==',
    });
    const structured = anthropicCodec.decodeRequest(readJsonFixture('request.structured_output.json'));
    expect(structured.responseFormat).toMatchObject({
      type: 'json_schema',
      schema: { required: ['name', 'born'] },
    });
    expect(structured.user).toBe('user-7d1e');
  });

  it.each([
    [{ model: 'm', messages: [] }, /^max_tokens: /],
    [{ model: 'm', max_tokens: 1, messages: [{ role: 'system', content: 'x' }] }, /^messages\.0\.role: /],
    [
      { model: 'm', max_tokens: 1, messages: [{ role: 'user', content: [{ type: 'text' }] }] },
      /^messages\.0\.content\.0\.text: /,
    ],
    [
      {
        model: 'm',
        max_tokens: 1,
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }],
      },
      /^messages\.0\.content\.0\.source\.type: /,
    ],
    [{ model: 'm', max_tokens: 1, messages: [], tool_choice: { type: 'tool' } }, /^tool_choice\.name: /],
    [{ model: 'm', max_tokens: 1, messages: [], system: 7 }, /^system: expected string or array/],
  ])('rejects %j naming the field', (body, pattern) => {
    expect(badRequestMessage(() => anthropicCodec.decodeRequest(body))).toMatch(pattern);
  });
});

describe('blocks and tools outlast does not model', () => {
  const body = {
    model: 'm',
    max_tokens: 10,
    tools: [
      { type: 'web_search_20250305', name: 'web_search', max_uses: 3, allowed_domains: ['example.com'] },
    ],
    messages: [
      {
        role: 'user',
        content: [
          {
            type: 'document',
            source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
            citations: { enabled: true },
          },
          {
            type: 'search_result',
            source: 'https://example.com',
            title: 't',
            content: [{ type: 'text', text: 'x' }],
          },
          { type: 'text', text: 'Summarise.' },
        ],
      },
    ],
  };

  it('reach an Anthropic target exactly as they came', () => {
    const spec = anthropicCodec.encodeRequest(anthropicCodec.decodeRequest(body), {
      model: 'm',
      stream: true,
    });
    const sent = spec.body as typeof body;
    expect(sent.messages).toEqual(body.messages);
    expect(sent.tools).toEqual(body.tools);
  });

  it.each([
    ['openai', openaiCodec, /^messages\.0\.content\.0: a "document" block in a user turn has no OpenAI form/],
    [
      'gemini',
      geminiCodec,
      /server tool "web_search_20250305" cannot run on Gemini|"document" block has no Gemini form/,
    ],
  ])('are refused by name towards %s (the engine then tries a target that can)', (_name, codec, pattern) => {
    const canonical = anthropicCodec.decodeRequest(body);
    expect(badRequestMessage(() => codec.encodeRequest(canonical, { model: 'x', stream: true }))).toMatch(
      pattern,
    );
  });
});

describe('anthropic request encoding from canonical', () => {
  const base: CanonicalRequest = {
    model: 'default',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  };

  it('posts to /v1/messages with the version header, x-api-key auth and max_tokens 4096 when none was given', () => {
    const spec = anthropicCodec.encodeRequest(base, { model: 'claude-sonnet-4-5', stream: true });
    expect(spec.path).toBe('/v1/messages');
    expect(spec.headers).toEqual({ 'anthropic-version': '2023-06-01', 'content-type': 'application/json' });
    expect(spec.body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      stream: true,
    });
    expect(anthropicCodec.authHeaders('sk-ant-test')).toEqual({ 'x-api-key': 'sk-ant-test' });
    expect(anthropicCodec.authHeaders(undefined)).toEqual({});
  });

  it('spreads back only Anthropic passthrough, and says "one call per turn" inside tool_choice', () => {
    const request: CanonicalRequest = {
      ...base,
      tools: [{ name: 't', inputSchema: { type: 'object' } }],
      parallelToolCalls: false,
      user: 'u1',
      passthrough: { format: 'openai', fields: { seed: 4 } },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hi', passthrough: { format: 'gemini', fields: { thought: false } } },
          ],
        },
      ],
    };
    expect(anthropicCodec.encodeRequest(request, { model: 'c', stream: false }).body).toEqual({
      model: 'c',
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      tools: [{ name: 't', input_schema: { type: 'object' } }],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      metadata: { user_id: 'u1' },
    });
  });

  it('maps a JSON schema response format to output_config.format', () => {
    const request: CanonicalRequest = {
      ...base,
      responseFormat: { type: 'json_schema', name: 'person', schema: { type: 'object' }, strict: true },
    };
    expect(anthropicCodec.encodeRequest(request, { model: 'c', stream: false }).body).toMatchObject({
      output_config: { format: { type: 'json_schema', schema: { type: 'object' } } },
    });
  });

  it('drops unsigned thinking (another provider’s reasoning) and empty text from history, keeps signed thinking', () => {
    const request: CanonicalRequest = {
      ...base,
      messages: [
        ...base.messages,
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'from another model' },
            { type: 'text', text: '' },
            { type: 'thinking', thinking: 'signed', signature: 'c2ln' },
            { type: 'text', text: 'answer' },
          ],
        },
      ],
    };
    const body = anthropicCodec.encodeRequest(request, { model: 'c', stream: false }).body as {
      messages: Array<{ content: unknown }>;
    };
    expect(body.messages[1]?.content).toEqual([
      { type: 'thinking', thinking: 'signed', signature: 'c2ln' },
      { type: 'text', text: 'answer' },
    ]);
  });

  it.each<[Partial<CanonicalRequest>, RegExp]>([
    [{ responseFormat: { type: 'json_object' } }, /^response_format: /],
    [{ temperature: 1.5 }, /^temperature: 1\.5 is outside Anthropic's range/],
    [
      {
        messages: [
          {
            role: 'user',
            content: [{ type: 'image', source: { type: 'base64', mediaType: 'image/tiff', data: 'AA==' } }],
          },
        ],
      },
      /^messages\.0\.content\.0\.source\.media_type: /,
    ],
  ])('refuses what Anthropic cannot carry, naming the field: %j', (change, pattern) => {
    expect(
      badRequestMessage(() =>
        anthropicCodec.encodeRequest({ ...base, ...change }, { model: 'c', stream: false }),
      ),
    ).toMatch(pattern);
  });
});
