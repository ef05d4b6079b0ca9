import { describe, expect, it } from 'vitest';
import { OutlastError } from '../../errors/index.ts';
import type { CanonicalRequest } from '../canonical/index.ts';
import { fixtureNames, readJson } from './fixtures/load.ts';
import { decodeRequest } from './parse-request.ts';
import { encodeRequest } from './request.ts';

function badRequestOf(run: () => unknown): OutlastError {
  try {
    run();
  } catch (error) {
    if (OutlastError.isInstance(error) && error.kind === 'bad_request') return error;
    throw error;
  }
  throw new Error('expected a bad_request');
}

describe('gemini request round trip', () => {
  it.each(fixtureNames('request.', '.json'))('%s: Gemini → canonical → Gemini is identity', (name) => {
    const body = readJson(name);
    const canonical = decodeRequest(body, { pathModel: 'gemini-2.5-flash', pathStream: false });
    const spec = encodeRequest(canonical, { model: 'gemini-2.5-flash', stream: false });
    expect(spec.body).toEqual(body);
    expect(spec.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
  });
});

describe('decodeRequest', () => {
  it('reads the reference request: system, tool turn linked by a synthesised id, config', () => {
    const req = decodeRequest(readJson('request.example.json'), {
      pathModel: 'models/gemini-2.5-flash',
      pathStream: true,
    });
    expect(req.model).toBe('gemini-2.5-flash');
    expect(req.stream).toBe(true);
    expect(req.system).toEqual([{ type: 'text', text: 'You are a weather assistant.' }]);
    const call = req.messages[1]!.content[0]!;
    const result = req.messages[2]!.content[0]!;
    expect(req.messages[1]!.role).toBe('assistant');
    expect(call).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { location: 'Paris' } });
    expect(result).toMatchObject({
      type: 'tool_result',
      name: 'get_weather',
      content: [{ type: 'text', text: '{"result":"15 degrees, light rain"}' }],
    });
    expect(call.type === 'tool_use' && result.type === 'tool_result' && result.toolUseId === call.id).toBe(
      true,
    );
    expect(req).toMatchObject({
      maxTokens: 1024,
      temperature: 0.7,
      topP: 0.95,
      topK: 40,
      stopSequences: ['\n\nUser:'],
      toolChoice: { type: 'auto' },
      tools: [{ name: 'get_weather', description: 'Get current weather for a city' }],
    });
  });

  it('links parallel responses to calls in order, and reads {output} and {error} responses', () => {
    const req = decodeRequest(readJson('request.parallel_tool_calls.json'));
    const calls = req.messages[1]!.content.filter((b) => b.type === 'tool_use');
    const results = req.messages[2]!.content;
    expect(calls.map((c) => c.id)).toEqual(['call_g1_1', 'call_g1_2']);
    expect(results.map((r) => r.type === 'tool_result' && r.toolUseId)).toEqual(['call_g1_1', 'call_g1_2']);
    expect(results[1]).toMatchObject({ content: [{ type: 'text', text: '22 degrees, clear' }] });
    expect(req.messages[6]!.content[0]).toMatchObject({
      type: 'tool_result',
      toolUseId: 'call_g5_0',
      isError: true,
      content: [{ type: 'text', text: 'time service unavailable' }],
    });
    expect(req.toolChoice).toEqual({ type: 'any' });
    expect(req.system?.map((s) => s.text)).toEqual([
      'You are a weather assistant.',
      'Answer in one sentence.',
    ]);
  });

  it('reads images as base64 and URL, thinking with its signature', () => {
    const images = decodeRequest(readJson('request.images.json'));
    expect(images.messages[0]!.content.slice(1)).toMatchObject([
      { type: 'image', source: { type: 'base64', mediaType: 'image/png' } },
      {
        type: 'image',
        source: { type: 'url', url: 'https://generativelanguage.googleapis.com/v1beta/files/abc123' },
      },
    ]);
    const thinking = decodeRequest(readJson('request.thinking.json'));
    expect(thinking.thinking).toEqual({ type: 'enabled', budgetTokens: 2048 });
    expect(thinking.messages[1]!.content.map((b) => b.type)).toEqual(['thinking', 'tool_use']);
    expect(thinking.messages[1]!.content[0]).toMatchObject({
      thinking: '**Planning the answer**\nI should call the tool.',
      signature: 'CiQBVKhc7mJ0aG91Z2h0LXNpZ25hdHVyZS1leGFtcGxl',
    });
  });

  it('keeps unknown fields in passthrough and maps a single allowed name to a tool choice', () => {
    const req = decodeRequest(readJson('request.passthrough.json'));
    expect(req.toolChoice).toEqual({ type: 'tool', name: 'lookup' });
    expect(req.thinking).toEqual({ type: 'disabled' });
    // Canonical schemas are JSON Schema; Gemini's own spelling stays in passthrough for Gemini.
    expect(req.responseFormat).toMatchObject({
      type: 'json_schema',
      schema: { type: 'object', properties: { headline: { type: 'string' } } },
    });
    expect(req.passthrough?.format).toBe('gemini');
    expect(req.passthrough?.fields).toMatchObject({
      cachedContent: 'cachedContents/abc123',
      tools: [{ googleSearch: {} }],
      generationConfig: { seed: 42, candidateCount: 1, responseSchema: { type: 'OBJECT' } },
    });
    expect(req.messages[1]!.content[0]).toMatchObject({ type: 'tool_use', id: 'fc-7f3a' });
    expect(req.messages[2]!.content[0]).toMatchObject({ type: 'tool_result', toolUseId: 'fc-7f3a' });
  });

  it('reads the snake_case field names Gemini also accepts, leaving argument keys alone', () => {
    const req = decodeRequest({
      system_instruction: { parts: [{ text: 'Be brief.' }] },
      contents: [
        { role: 'user', parts: [{ inline_data: { mime_type: 'image/png', data: 'AA' } }] },
        { role: 'model', parts: [{ function_call: { name: 'f', args: { snake_key: 1 } } }] },
      ],
      generation_config: { max_output_tokens: 10, thinking_config: { thinking_budget: 0 } },
    });
    expect(req.system).toEqual([{ type: 'text', text: 'Be brief.' }]);
    expect(req.messages[0]!.content[0]).toMatchObject({ source: { type: 'base64', mediaType: 'image/png' } });
    expect(req.messages[1]!.content[0]).toMatchObject({ input: { snake_key: 1 } });
    expect([req.maxTokens, req.thinking]).toEqual([10, { type: 'disabled' }]);
  });

  it.each([
    [{ contents: 'hi' }, 'contents'],
    [{ contents: [{ role: 'user', parts: [{ text: 3 }] }] }, 'contents.0.parts.0.text'],
    [{ contents: [{ role: 'system', parts: [{ text: 'x' }] }] }, 'contents.0.role'],
    [
      { contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'audio/wav', data: 'AA' } }] }] },
      'contents.0.parts.0.inlineData.mimeType',
    ],
    [{ contents: [{ role: 'user', parts: [{ executableCode: { code: 'x' } }] }] }, 'contents.0.parts.0'],
    [{ contents: [], generationConfig: { candidateCount: 2 } }, 'generationConfig.candidateCount'],
    [
      { contents: [], systemInstruction: { parts: [{ inlineData: { mimeType: 'image/png', data: 'AA' } }] } },
      'systemInstruction.parts.0',
    ],
  ])('rejects %j as bad_request naming %s', (body, field) => {
    const error = badRequestOf(() => decodeRequest(body));
    expect(error.message.startsWith(`${field}: `)).toBe(true);
  });
});

describe('encodeRequest from another format', () => {
  const base: CanonicalRequest = {
    model: 'route',
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'hmm', signature: 'anthropic-sig' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolUseId: 'toolu_1', content: [{ type: 'text', text: '15C' }] },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
          { type: 'image', source: { type: 'url', url: 'data:image/gif;base64,R0lGOD' } },
        ],
      },
    ],
    system: [{ type: 'text', text: 'Be brief.' }],
    tools: [
      {
        name: 'get_weather',
        inputSchema: {
          $schema: 'http://json-schema.org/draft-07/schema#',
          type: 'object',
          properties: { city: { type: 'string' } },
          additionalProperties: false,
        },
      },
      { name: 'ping', inputSchema: { type: 'object', properties: {} } },
    ],
    toolChoice: { type: 'tool', name: 'get_weather' },
    thinking: { type: 'enabled', budgetTokens: 1024 },
    responseFormat: {
      type: 'json_schema',
      name: 'w',
      schema: { type: 'object', additionalProperties: false },
    },
    maxTokens: 100,
    stream: true,
    passthrough: { format: 'anthropic', fields: { metadata: { user_id: 'u' } } },
  };

  it('finds the function name by id, drops foreign signatures and cleans foreign schemas', () => {
    const spec = encodeRequest(base, { model: 'gemini-2.5-pro', stream: true });
    expect(spec.path).toBe('/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse');
    expect(spec.body).toEqual({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Weather?' }] },
        {
          role: 'model',
          parts: [
            { text: 'hmm', thought: true },
            { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_weather', response: { output: '15C' } } },
            { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/cat.png' } },
            { inlineData: { mimeType: 'image/gif', data: 'R0lGOD' } },
          ],
        },
      ],
      tools: [
        {
          functionDeclarations: [
            { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
            { name: 'ping' },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
      generationConfig: {
        maxOutputTokens: 100,
        responseMimeType: 'application/json',
        thinkingConfig: { thinkingBudget: 1024, includeThoughts: true },
      },
    });
  });

  it('answers a tool_result without a known call name with bad_request naming the field', () => {
    const orphan: CanonicalRequest = {
      model: 'm',
      messages: [{ role: 'user', content: [{ type: 'tool_result', toolUseId: 'nope', content: [] }] }],
    };
    expect(badRequestOf(() => encodeRequest(orphan, { model: 'g', stream: false })).message).toMatch(
      /^messages\.0\.content\.0\.toolUseId: /,
    );
  });

  it('refuses to drop parallelToolCalls: false', () => {
    expect(
      badRequestOf(() => encodeRequest({ ...base, parallelToolCalls: false }, { model: 'g', stream: false }))
        .message,
    ).toMatch(/^parallelToolCalls: /);
  });

  it('maps tool choices and thinking modes', () => {
    const encode = (r: Partial<CanonicalRequest>) =>
      encodeRequest({ model: 'm', messages: [], ...r }, { model: 'g', stream: false }).body as Record<
        string,
        unknown
      >;
    expect(encode({ toolChoice: { type: 'none' } })['toolConfig']).toEqual({
      functionCallingConfig: { mode: 'NONE' },
    });
    expect(encode({ toolChoice: { type: 'any' } })['toolConfig']).toEqual({
      functionCallingConfig: { mode: 'ANY' },
    });
    expect(encode({ thinking: { type: 'disabled' } })['generationConfig']).toEqual({
      thinkingConfig: { thinkingBudget: 0 },
    });
    expect(encode({ thinking: { type: 'adaptive' } })['generationConfig']).toEqual({
      thinkingConfig: { thinkingBudget: -1, includeThoughts: true },
    });
    expect(encode({ responseFormat: { type: 'json_object' } })['generationConfig']).toEqual({
      responseMimeType: 'application/json',
    });
  });
});
