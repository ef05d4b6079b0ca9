/**
 * Cross translations between the wire formats, checked field by field: a request, answer or
 * stream in one provider's format, decoded to canonical and encoded in another's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, StreamPart } from '../../src/wire/canonical/index.ts';
import { geminiCodec } from '../../src/wire/gemini/index.ts';
import { openaiCodec } from '../../src/wire/openai/index.ts';
import { assemble, decodeSse, encodeSse } from './assemble.ts';

const fixture = (path: string): string =>
  readFileSync(new URL(`../../src/wire/${path}`, import.meta.url), 'utf8');
const json = (path: string): unknown => JSON.parse(fixture(path));

type Json = Record<string, unknown>;
const toGemini = (req: CanonicalRequest, stream = false) =>
  geminiCodec.encodeRequest(req, { model: 'gemini-2.5-flash', stream }).body as Json;
const toOpenai = (req: CanonicalRequest) =>
  openaiCodec.encodeRequest(req, { model: 'gpt-4.1', stream: false }).body as Json;

/** Every tool result answers a call made earlier with the same function. */
function expectOpenaiToolLinks(body: Json, expected: Array<[name: string, content: string]>): void {
  const messages = body['messages'] as Json[];
  const calls = new Map<string, string>();
  const answers: Array<[string, string]> = [];
  for (const m of messages) {
    for (const c of (m['tool_calls'] as Json[] | undefined) ?? [])
      calls.set(c['id'] as string, (c['function'] as Json)['name'] as string);
    if (m['role'] === 'tool') {
      const name = calls.get(m['tool_call_id'] as string);
      expect(name, `tool message ${String(m['tool_call_id'])} answers a known call`).toBeDefined();
      answers.push([name!, m['content'] as string]);
    }
  }
  expect(answers).toEqual(expected);
}

describe('requests: OpenAI → Gemini', () => {
  const canonical = openaiCodec.decodeRequest(json('openai/fixtures/request.multi_turn_parallel_tools.json'));
  const body = toGemini(canonical);

  it('moves the system message to systemInstruction and maps roles', () => {
    expect(body['systemInstruction']).toEqual({ parts: [{ text: 'You are a travel assistant. Be brief.' }] });
    const contents = body['contents'] as Json[];
    expect(contents.map((c) => c['role'])).toEqual(['user', 'model', 'user', 'model', 'user']);
  });

  it('turns parallel tool calls into function calls, and tool messages into responses named by the call id', () => {
    const contents = body['contents'] as Array<{ parts: Json[] }>;
    expect(contents[1]!.parts).toEqual([
      { text: 'Let me check both cities.' },
      { functionCall: { name: 'get_weather', args: { location: 'Paris' } } },
      { functionCall: { name: 'get_weather', args: { location: 'Rome', unit: 'c' } } },
    ]);
    expect(contents[2]!.parts).toEqual([
      { functionResponse: { name: 'get_weather', response: { output: '15 degrees, light rain' } } },
      { functionResponse: { name: 'get_weather', response: { output: '24 degrees, sunny' } } },
    ]);
  });

  it('maps tools, tool_choice required, max tokens and stop', () => {
    expect(body['tools']).toEqual([
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Current weather for a city',
            parameters: {
              type: 'object',
              properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } },
              required: ['location'],
            },
          },
        ],
      },
    ]);
    expect(body['toolConfig']).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(body['generationConfig']).toEqual({ maxOutputTokens: 300, stopSequences: ['END'] });
  });

  it('carries a data-URL image as inline data', () => {
    const images = openaiCodec.decodeRequest(json('openai/fixtures/request.tools_image_developer.json'));
    const contents = toGemini(images)['contents'] as Array<{ parts: Json[] }>;
    expect(contents[0]!.parts[1]).toEqual({ inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } });
  });

  it('comes back to OpenAI with every tool message still answering its call', () => {
    const back = openaiCodec.encodeRequest(
      geminiCodec.decodeRequest(body, { pathModel: 'gemini-2.5-flash' }),
      { model: 'gpt-4.1', stream: false },
    ).body as Json;
    expectOpenaiToolLinks(back, [
      ['get_weather', '15 degrees, light rain'],
      ['get_weather', '24 degrees, sunny'],
    ]);
  });
});

describe('requests: Gemini → OpenAI', () => {
  const canonical = geminiCodec.decodeRequest(json('gemini/fixtures/request.parallel_tool_calls.json'), {
    pathModel: 'gemini-2.5-flash',
  });
  const body = toOpenai(canonical);

  it('gives Gemini calls ids that the tool messages answer, in order', () => {
    expectOpenaiToolLinks(body, [
      ['get_weather', '{"temperature":15,"conditions":"light rain"}'],
      ['get_weather', '22 degrees, clear'],
      ['get_time', 'Error: time service unavailable'],
    ]);
  });

  it('maps systemInstruction, tools and generation config', () => {
    const messages = body['messages'] as Json[];
    expect(messages[0]).toMatchObject({ role: 'system' });
    expect(JSON.stringify(messages[0]!['content'])).toContain('You are a weather assistant.');
    expect(body['tool_choice']).toBe('required');
    expect((body['tools'] as Json[]).map((t) => (t['function'] as Json)['name'])).toEqual([
      'get_weather',
      'get_time',
    ]);
    expect(body).toMatchObject({ temperature: 0.2 });
    expect(body['max_completion_tokens'] ?? body['max_tokens']).toBe(512);
  });

  it('carries inline images and file URLs as image_url parts', () => {
    const images = toOpenai(geminiCodec.decodeRequest(json('gemini/fixtures/request.images.json')));
    const content = (images['messages'] as Json[])[0]!['content'] as Json[];
    expect(content.map((p) => (p['image_url'] as Json | undefined)?.['url'])).toEqual([
      undefined,
      expect.stringMatching(/^data:image\/png;base64,iVBORw0KGgo/),
      'https://generativelanguage.googleapis.com/v1beta/files/abc123',
    ]);
  });

  it('refuses top_k, which OpenAI lacks, and otherwise keeps no Gemini-only field in the OpenAI body', () => {
    const decoded = geminiCodec.decodeRequest(json('gemini/fixtures/request.passthrough.json'));
    expect(() => toOpenai(decoded)).toThrow(/^topK: /);
    const passthrough = toOpenai({ ...decoded, topK: undefined });
    const text = JSON.stringify(passthrough);
    for (const key of ['safetySettings', 'cachedContent', 'googleSearch', 'seed', 'candidateCount', 'OBJECT'])
      expect(text).not.toContain(key);
    expect(JSON.stringify(passthrough['response_format'])).toContain('"type":"string"');
  });
});

describe('responses: stop reasons and usage across formats', () => {
  it.each([
    ['response.text.json', 'stop'],
    ['response.function_call.json', 'tool_calls'],
    ['response.max_tokens.json', 'length'],
    ['response.safety.json', 'content_filter'],
    ['response.recitation.json', 'content_filter'],
  ])('Gemini %s → OpenAI finish_reason %s', (name, finish) => {
    const res = openaiCodec.encodeResponse(geminiCodec.decodeResponse(json(`gemini/fixtures/${name}`)), {
      model: 'gpt-4.1',
    }) as { choices: Array<{ finish_reason: string }> };
    expect(res.choices[0]!.finish_reason).toBe(finish);
  });

  it('Gemini usage with cache and thoughts → OpenAI usage', () => {
    const res = openaiCodec.encodeResponse(
      geminiCodec.decodeResponse(json('gemini/fixtures/response.thinking.json')),
      {
        model: 'gpt-4.1',
      },
    ) as Json;
    expect(res['usage']).toMatchObject({
      prompt_tokens: 1240,
      completion_tokens: 170,
      prompt_tokens_details: { cached_tokens: 1024 },
      completion_tokens_details: { reasoning_tokens: 152 },
    });
  });

  it.each([
    ['response.text.json', 'STOP'],
    ['response.tool_calls.json', 'STOP'],
    ['response.parallel_tool_calls.json', 'STOP'],
    ['response.content_filter.json', 'SAFETY'],
    ['response.length_cached_reasoning.json', 'MAX_TOKENS'],
  ])('OpenAI %s → Gemini finishReason %s, usage summing the same', (name, finish) => {
    const source = json(`openai/fixtures/${name}`) as { usage: Json };
    const res = geminiCodec.encodeResponse(openaiCodec.decodeResponse(source), { model: 'g' }) as {
      candidates: Array<{ finishReason: string }>;
      usageMetadata: Json;
    };
    expect(res.candidates[0]!.finishReason).toBe(finish);
    expect(res.usageMetadata['promptTokenCount']).toBe(source.usage['prompt_tokens']);
    expect(res.usageMetadata['totalTokenCount']).toBe(source.usage['total_tokens']);
  });

  it('OpenAI parallel tool calls → Gemini function calls with their arguments', () => {
    const res = geminiCodec.encodeResponse(
      openaiCodec.decodeResponse(json('openai/fixtures/response.parallel_tool_calls.json')),
      { model: 'g' },
    ) as { candidates: Array<{ content: { parts: Json[] } }> };
    const calls = res.candidates[0]!.content.parts.filter((p) => p['functionCall']);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls)
      expect(call['functionCall']).toMatchObject({ name: expect.any(String), args: expect.any(Object) });
  });
});

/** Re-encodes a canonical stream in `via`'s format and decodes it back. */
function through(parts: StreamPart[], via: typeof geminiCodec): StreamPart[] {
  return decodeSse(via, encodeSse(via, parts));
}

describe('streams across formats', () => {
  it.each([
    'openai/fixtures/stream.text_then_tool_call.sse',
    'openai/fixtures/stream.parallel_tool_calls.sse',
    'openai/fixtures/stream.text_with_usage.sse',
  ])('%s re-encoded as Gemini SSE decodes to the same content', (path) => {
    const parts = decodeSse(openaiCodec, fixture(path));
    const original = assemble(parts);
    expect(assemble(through(parts, geminiCodec))).toEqual(original);
  });

  it.each([
    'gemini/fixtures/stream.text.sse',
    'gemini/fixtures/stream.function_calls.sse',
    'gemini/fixtures/stream.max_tokens.sse',
  ])('%s re-encoded as OpenAI SSE decodes to the same content', (path) => {
    const parts = decodeSse(geminiCodec, fixture(path));
    expect(assemble(through(parts, openaiCodec))).toEqual(assemble(parts));
  });
});
