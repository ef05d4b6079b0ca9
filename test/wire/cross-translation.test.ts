/**
 * Cross translations between the wire formats, checked field by field: a request, answer or
 * stream in one provider's format, decoded to canonical and encoded in another's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { treatmentOf } from '../../src/errors/index.ts';
import type { CanonicalRequest, StreamPart } from '../../src/wire/canonical/index.ts';
import type { Codec } from '../../src/wire/codec.ts';
import { anthropicCodec, codecFor, geminiCodec, openaiCodec } from '../../src/wire/index.ts';
import { type Assembled, assemble, decodeSse, encodeSse, parseSse } from './assemble.ts';

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
function through(parts: StreamPart[], via: Codec): StreamPart[] {
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

describe('codecFor', () => {
  it('gives each format its codec', () => {
    expect(codecFor('anthropic')).toBe(anthropicCodec);
    expect(codecFor('openai')).toBe(openaiCodec);
    expect(codecFor('gemini')).toBe(geminiCodec);
    expect(['anthropic', 'openai', 'gemini'].map((f) => codecFor(f as never).format)).toEqual([
      'anthropic',
      'openai',
      'gemini',
    ]);
  });
});

const toAnthropic = (req: CanonicalRequest) =>
  anthropicCodec.encodeRequest(req, { model: 'claude-sonnet-4-5', stream: false }).body as Json;

describe('requests: Anthropic ↔ OpenAI keep tool ids', () => {
  const canonical = anthropicCodec.decodeRequest(
    json('anthropic/fixtures/request.multi_turn_parallel_tools.json'),
  );
  const openai = toOpenai(canonical);

  it('Anthropic → OpenAI: tool_use ids become tool_call ids, tool_results answer them', () => {
    const messages = openai['messages'] as Json[];
    expect(messages[0]).toMatchObject({ role: 'system' });
    const calls = (messages[2]!['tool_calls'] as Json[]).map((c) => [
      c['id'],
      (c['function'] as Json)['name'],
    ]);
    expect(calls).toEqual([
      ['toolu_01Paris0000000000000001', 'get_weather'],
      ['toolu_01Tokyo0000000000000002', 'get_weather'],
      ['toolu_01Paris0000000000000003', 'get_time'],
      ['toolu_01Tokyo0000000000000004', 'get_time'],
    ]);
    expect(messages.filter((m) => m['role'] === 'tool').map((m) => m['tool_call_id'])).toEqual([
      'toolu_01Paris0000000000000001',
      'toolu_01Tokyo0000000000000002',
      'toolu_01Paris0000000000000003',
      'toolu_01Tokyo0000000000000004',
    ]);
    expect(openai['tool_choice']).toBe('required');
  });

  it('OpenAI → Anthropic: tool_call ids come back as tool_use ids, results in the next user turn', () => {
    const back = toAnthropic(openaiCodec.decodeRequest(openai));
    const messages = back['messages'] as Array<{ role: string; content: Json[] | string }>;
    const uses = messages.flatMap((m) =>
      Array.isArray(m.content) ? m.content.filter((b) => b['type'] === 'tool_use') : [],
    );
    const results = messages.flatMap((m) =>
      Array.isArray(m.content) ? m.content.filter((b) => b['type'] === 'tool_result') : [],
    );
    expect(uses.map((u) => u['id'])).toEqual(results.map((r) => r['tool_use_id']));
    expect(uses.map((u) => u['input'])).toEqual([
      { city: 'Paris' },
      { city: 'Tokyo' },
      { tz: 'Europe/Paris' },
      { tz: 'Asia/Tokyo', format: { h24: true } },
    ]);
    expect(back['system']).toBeDefined();
    expect(JSON.stringify(back['system'])).toContain('You plan trips. Use the tools.');
    expect(back['tool_choice']).toEqual({ type: 'any' });
  });

  it('OpenAI multi-turn request → Anthropic keeps ids, system and tools', () => {
    const back = toAnthropic(
      openaiCodec.decodeRequest(json('openai/fixtures/request.multi_turn_parallel_tools.json')),
    );
    expect(JSON.stringify(back['system'])).toContain('You are a travel assistant. Be brief.');
    const text = JSON.stringify(back['messages']);
    for (const id of ['call_paris', 'call_rome']) expect(text.split(id).length - 1).toBe(2);
    expect((back['tools'] as Json[])[0]).toMatchObject({
      name: 'get_weather',
      input_schema: { type: 'object' },
    });
    expect(back).toMatchObject({ max_tokens: 300, stop_sequences: ['END'], tool_choice: { type: 'any' } });
  });
});

describe('requests: Anthropic ↔ Gemini answer by name', () => {
  const canonical = anthropicCodec.decodeRequest(
    json('anthropic/fixtures/request.multi_turn_parallel_tools.json'),
  );
  const gemini = toGemini(canonical);

  it('Anthropic → Gemini: results named after their calls, errors and empty results kept', () => {
    const contents = gemini['contents'] as Array<{ role: string; parts: Json[] }>;
    expect(gemini['systemInstruction']).toEqual({ parts: [{ text: 'You plan trips. Use the tools.' }] });
    expect(contents.map((c) => c.role)).toEqual(['user', 'model', 'user', 'model', 'user']);
    expect(contents[1]!.parts.slice(1).map((p) => (p['functionCall'] as Json)['name'])).toEqual([
      'get_weather',
      'get_weather',
      'get_time',
      'get_time',
    ]);
    expect(contents[2]!.parts).toEqual([
      { functionResponse: { name: 'get_weather', response: { output: '15°C, rain' } } },
      { functionResponse: { name: 'get_weather', response: { output: '22°C, clear' } } },
      { functionResponse: { name: 'get_time', response: { error: 'service unavailable' } } },
      { functionResponse: { name: 'get_time', response: {} } },
    ]);
    expect(gemini['toolConfig']).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(gemini['generationConfig']).toEqual({ maxOutputTokens: 2048 });
  });

  it('Gemini → Anthropic: synthesised ids link each result to its call, in order', () => {
    const back = toAnthropic(geminiCodec.decodeRequest(gemini, { pathModel: 'gemini-2.5-flash' }));
    const messages = back['messages'] as Array<{ content: Json[] | string }>;
    const blocks = messages.flatMap((m) => (Array.isArray(m.content) ? m.content : []));
    const uses = blocks.filter((b) => b['type'] === 'tool_use');
    const results = blocks.filter((b) => b['type'] === 'tool_result');
    expect(uses.map((u) => u['name'])).toEqual(['get_weather', 'get_weather', 'get_time', 'get_time']);
    expect(results.map((r) => r['tool_use_id'])).toEqual(uses.map((u) => u['id']));
    for (const u of uses) expect(u['id']).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(results[2]).toMatchObject({ is_error: true });
    expect(JSON.stringify(results[0])).toContain('15°C, rain');
  });

  it('Anthropic images (URL, base64, in a tool result) → Gemini file data, inline data, function response parts', () => {
    const images = toGemini(
      anthropicCodec.decodeRequest(json('anthropic/fixtures/request.images_and_cache_control.json')),
    );
    const contents = images['contents'] as Array<{ parts: Json[] }>;
    expect(contents[0]!.parts.slice(0, 2)).toEqual([
      {
        fileData: {
          mimeType: 'image/jpeg',
          fileUri: 'https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg',
        },
      },
      { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQSkZJRgABAQ==' } },
    ]);
    expect(contents[2]!.parts[0]).toEqual({
      functionResponse: {
        name: 'crop',
        response: { output: 'cropped' },
        parts: [{ inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }],
      },
    });
    expect(images['systemInstruction']).toEqual({
      parts: [{ text: 'You describe images precisely.' }, { text: 'Answer in one sentence.' }],
    });
    expect(JSON.stringify(images)).not.toContain('cache_control');
  });

  it('Gemini images → Anthropic base64 and URL sources', () => {
    const back = toAnthropic(geminiCodec.decodeRequest(json('gemini/fixtures/request.images.json')));
    const content = (back['messages'] as Array<{ content: Json[] }>)[0]!.content;
    expect(content.slice(1).map((b) => b['source'])).toEqual([
      { type: 'base64', media_type: 'image/png', data: expect.stringMatching(/^iVBORw0KGgo/) },
      { type: 'url', url: 'https://generativelanguage.googleapis.com/v1beta/files/abc123' },
    ]);
  });
});

describe('responses: Anthropic stop reasons and usage', () => {
  it.each([
    ['response.nonstream.text.json', 'end_turn', 'stop', 'STOP'],
    ['response.nonstream.tool_use.json', 'tool_use', 'tool_calls', 'STOP'],
    ['response.nonstream.parallel_tool_use.json', 'tool_use', 'tool_calls', 'STOP'],
    ['response.nonstream.stop_sequence.json', 'stop_sequence', 'stop', 'STOP'],
    ['response.nonstream.max_tokens.json', 'max_tokens', 'length', 'MAX_TOKENS'],
    ['response.nonstream.refusal.json', 'refusal', 'content_filter', 'SAFETY'],
  ])('%s (%s) → OpenAI %s, Gemini %s', (name, stop, finish, geminiFinish) => {
    const canonical = anthropicCodec.decodeResponse(json(`anthropic/fixtures/${name}`));
    expect(canonical.stopReason).toBe(stop);
    const openai = openaiCodec.encodeResponse(canonical, { model: 'gpt' }) as {
      choices: Array<{ finish_reason: string }>;
    };
    const gemini = geminiCodec.encodeResponse(canonical, { model: 'g' }) as {
      candidates: Array<{ finishReason: string }>;
      usageMetadata: Json;
    };
    expect(openai.choices[0]!.finish_reason).toBe(finish);
    expect(gemini.candidates[0]!.finishReason).toBe(geminiFinish);
    const u = canonical.usage;
    expect(gemini.usageMetadata['promptTokenCount']).toBe(
      u.inputTokens + (u.cacheReadTokens ?? 0) + (u.cacheWriteTokens ?? 0),
    );
    expect(gemini.usageMetadata['candidatesTokenCount']).toBe(u.outputTokens - (u.reasoningTokens ?? 0));
    const back = geminiCodec.decodeResponse(gemini);
    expect([back.usage.inputTokens + (back.usage.cacheReadTokens ?? 0), back.usage.outputTokens]).toEqual([
      u.inputTokens + (u.cacheReadTokens ?? 0) + (u.cacheWriteTokens ?? 0),
      u.outputTokens,
    ]);
  });

  it('Gemini answers → Anthropic stop reasons', () => {
    const stop = (name: string) =>
      (
        anthropicCodec.encodeResponse(geminiCodec.decodeResponse(json(`gemini/fixtures/${name}`)), {
          model: 'c',
        }) as Json
      )['stop_reason'];
    expect(
      [
        'response.text.json',
        'response.parallel_function_calls.json',
        'response.max_tokens.json',
        'response.safety.json',
      ].map(stop),
    ).toEqual(['end_turn', 'tool_use', 'max_tokens', 'refusal']);
  });
});

/** What must survive any hop: a stop sequence reads as a normal end where it cannot be named. */
function content(a: Assembled) {
  return {
    text: a.text,
    toolCalls: a.toolCalls,
    stopReason: a.stopReason === 'stop_sequence' ? 'end_turn' : a.stopReason,
    inputTokens: (a.usage.inputTokens ?? 0) + (a.usage.cacheWriteTokens ?? 0),
    cacheReadTokens: a.usage.cacheReadTokens ?? 0,
    outputTokens: a.usage.outputTokens,
    stopped: a.stopped,
  };
}

describe('streams: Anthropic SSE re-encoded as OpenAI and Gemini SSE', () => {
  it.each([
    'anthropic/fixtures/stream.text_and_tool_use.sse',
    'anthropic/fixtures/stream.parallel_tool_use.sse',
    'anthropic/fixtures/stream.thinking.sse',
    'anthropic/fixtures/stream.max_tokens.sse',
    'anthropic/fixtures/stream.stop_sequence.sse',
  ])('%s decodes back to the same content', (path) => {
    const parts = decodeSse(anthropicCodec, fixture(path));
    const original = content(assemble(parts));
    const viaGemini = through(parts, geminiCodec);
    expect(content(assemble(viaGemini))).toEqual(original);
    expect(content(assemble(through(parts, openaiCodec)))).toEqual(original);
    // Thoughts survive Gemini (thought parts), and Gemini → Anthropic gives the same again.
    expect(assemble(viaGemini).thinking).toBe(assemble(parts).thinking);
    expect(content(assemble(through(viaGemini, anthropicCodec)))).toEqual(original);
  });

  it('a Gemini stream with thoughts re-encoded as Anthropic SSE keeps thinking, signature and text', () => {
    const parts = decodeSse(geminiCodec, fixture('gemini/fixtures/stream.thinking.sse'));
    const back = through(parts, anthropicCodec);
    expect(content(assemble(back))).toEqual(content(assemble(parts)));
    expect(assemble(back).thinking).toBe(assemble(parts).thinking);
    const signature = (ps: StreamPart[]) =>
      ps.flatMap((p) =>
        p.type === 'block_delta' && p.delta.type === 'signature' ? [p.delta.signature] : [],
      );
    expect(signature(back)).toEqual(signature(parts));
  });

  it('a mid-stream error stays a typed error the engine treats the same through every format', () => {
    const decoder = anthropicCodec.createStreamDecoder();
    const all = parseSse(fixture('anthropic/fixtures/stream.midstream_error.sse')).flatMap((e) =>
      decoder.push(e),
    );
    const error = all.find((p) => p.type === 'error');
    expect(error?.type === 'error' && error.error.kind).toBe('overloaded');
    const gemini = geminiCodec.createStreamDecoder();
    const viaGemini = parseSse(encodeSse(geminiCodec, all)).flatMap((e) => gemini.push(e));
    const g = viaGemini.find((p) => p.type === 'error');
    expect(g?.type === 'error' && g.error.kind).toBe('overloaded');
    // OpenAI has no overloaded type: its in-band error reads back as `server`, which the
    // failure table treats exactly like `overloaded` (retry, fall back, count in the breaker).
    const openai = openaiCodec.createStreamDecoder();
    const viaOpenai = parseSse(encodeSse(openaiCodec, all)).flatMap((e) => openai.push(e));
    const o = viaOpenai.find((p) => p.type === 'error');
    expect(o?.type).toBe('error');
    if (o?.type === 'error') expect(treatmentOf(o.error.kind)).toEqual(treatmentOf('overloaded'));
  });
});
