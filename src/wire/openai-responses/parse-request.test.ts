import { describe, expect, it } from 'vitest';
import { OutlastError } from '../../errors/index.ts';
import { parseResponsesRequest } from './parse-request.ts';

const refusal = (body: unknown): OutlastError => {
  try {
    parseResponsesRequest(body);
  } catch (error) {
    if (OutlastError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('parseResponsesRequest', () => {
  it('takes a string input as one user turn and instructions as the system prompt', () => {
    const { request, echo } = parseResponsesRequest({
      model: 'm',
      input: 'hi',
      instructions: 'be brief',
      max_output_tokens: 100,
      temperature: 0.2,
      top_p: 0.9,
      stream: true,
      metadata: { a: 'b' },
    });
    const { origin, ...translated } = request;
    // The body rides along as it came, for a target that is the Responses API itself.
    expect(origin?.body.instructions).toBe('be brief');
    expect(origin?.needs).toEqual([]);
    expect(translated).toEqual({
      model: 'm',
      system: [{ type: 'text', text: 'be brief' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      maxTokens: 100,
      temperature: 0.2,
      topP: 0.9,
      stream: true,
    });
    expect(echo).toMatchObject({ instructions: 'be brief', maxOutputTokens: 100, metadata: { a: 'b' } });
  });

  it('turns items into turns: messages, images, function calls and outputs, merged by role', () => {
    const { request } = parseResponsesRequest({
      model: 'm',
      input: [
        { role: 'developer', content: 'rules' },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'look' },
            { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'auto' },
            { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'low' },
          ],
        },
        { role: 'assistant', content: [{ type: 'output_text', text: 'calling', annotations: [] }] },
        { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{"x":1}', id: 'fc_1' },
        { type: 'function_call', call_id: 'call_2', name: 'g', arguments: '' },
        { type: 'function_call_output', call_id: 'call_1', output: 'one' },
        { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'two' }] },
      ],
    });
    expect(request.system).toEqual([{ type: 'text', text: 'rules' }]);
    expect(request.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'AAAA' } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'calling' },
          { type: 'tool_use', id: 'call_1', name: 'f', input: { x: 1 } },
          { type: 'tool_use', id: 'call_2', name: 'g', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolUseId: 'call_1', content: [{ type: 'text', text: 'one' }] },
          { type: 'tool_result', toolUseId: 'call_2', content: [{ type: 'text', text: 'two' }] },
        ],
      },
    ]);
  });

  it('reads reasoning items back as thinking (signature in encrypted_content) or redacted thinking', () => {
    const { request } = parseResponsesRequest({
      model: 'm',
      input: [
        { role: 'user', content: 'q' },
        {
          type: 'reasoning',
          id: 'rs_1',
          summary: [{ type: 'summary_text', text: 'hmm' }],
          encrypted_content: 'sig',
        },
        { type: 'reasoning', id: 'rs_2', summary: [], encrypted_content: 'sealed' },
        { type: 'reasoning', id: 'rs_3', summary: [] },
      ],
    });
    expect(request.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'hmm', signature: 'sig' },
        { type: 'redacted_thinking', data: 'sealed' },
      ],
    });
  });

  it('maps function tools, tool_choice, parallel_tool_calls, text.format and reasoning effort', () => {
    const { request } = parseResponsesRequest({
      model: 'm',
      input: 'q',
      max_output_tokens: 4000,
      tools: [
        { type: 'function', name: 'f', parameters: { type: 'object' }, strict: true, description: 'd' },
      ],
      tool_choice: { type: 'function', name: 'f' },
      parallel_tool_calls: false,
      reasoning: { effort: 'high' },
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
      user: 'u1',
    });
    expect(request.tools).toEqual([{ name: 'f', description: 'd', inputSchema: { type: 'object' } }]);
    expect(request.toolChoice).toEqual({ type: 'tool', name: 'f' });
    expect(request.parallelToolCalls).toBe(false);
    // A budget leaves room for the answer: half the output limit at most.
    expect(request.thinking).toEqual({ type: 'enabled', budgetTokens: 2000 });
    expect(request.responseFormat).toEqual({
      type: 'json_schema',
      name: 'out',
      schema: { type: 'object' },
      strict: true,
    });
    expect(request.user).toBe('u1');
    expect(
      parseResponsesRequest({ model: 'm', input: 'q', tool_choice: 'required' }).request.toolChoice,
    ).toEqual({
      type: 'any',
    });
    expect(
      parseResponsesRequest({ model: 'm', input: 'q', reasoning: { effort: 'minimal' } }).request.thinking,
    ).toEqual({
      type: 'disabled',
    });
    expect(
      parseResponsesRequest({ model: 'm', input: 'q', text: { format: { type: 'json_object' } } }).request
        .responseFormat,
    ).toEqual({ type: 'json_object' });
  });

  it.each([
    [{ previous_response_id: 'resp_1' }, 'previous_response_id'],
    [{ conversation: 'conv_1' }, 'conversation'],
    [{ prompt: { id: 'pmpt_1' } }, 'prompt'],
    [{ background: true }, 'background'],
    [{ tools: [{ type: 'web_search' }] }, 'tools.0.type'],
    [{ tool_choice: { type: 'web_search' } }, 'tool_choice.type'],
    [{ input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input.0.type'],
    [{ input: [{ type: 'web_search_call', id: 'ws_1' }] }, 'input.0.type'],
    [
      { input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] },
      'input.0.content.0.type',
    ],
    [
      { input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'f' }] }] },
      'input.0.content.0.file_id',
    ],
  ])('lists %j as needing the Responses API itself, at %s', (patch, path) => {
    const { request } = parseResponsesRequest({ model: 'm', input: 'q', ...patch });
    expect(request.origin?.needs.map((n) => n.path)).toEqual([path]);
  });

  it('takes a stored prompt or an earlier response with no new input', () => {
    const { request } = parseResponsesRequest({ model: 'm', prompt: { id: 'pmpt_1' } });
    expect(request.messages).toEqual([]);
    expect(request.origin?.needs.map((n) => n.path)).toEqual(['prompt']);
  });

  it.each([
    [{ input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '[1]' }] }, 'input.0.arguments'],
    [{ input: [] }, 'input'],
    [{ input: 3 }, 'input'],
    [{ model: '' }, 'model'],
  ])('refuses %j naming %s', (patch, path) => {
    const error = refusal({ model: 'm', input: 'q', ...patch });
    expect(error.kind).toBe('bad_request');
    expect(error.message.startsWith(path)).toBe(true);
  });

  it('accepts hints that do not change the answer and does not send them on', () => {
    const { request: whole } = parseResponsesRequest({
      model: 'm',
      input: 'q',
      store: true,
      include: ['reasoning.encrypted_content'],
      service_tier: 'auto',
      prompt_cache_key: 'k',
      truncation: 'disabled',
      text: { verbosity: 'low' },
      previous_response_id: null,
    });
    const { origin, ...request } = whole;
    expect(origin?.body.include).toEqual(['reasoning.encrypted_content']);
    expect(origin?.needs).toEqual([]);
    expect(request).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'q' }] }],
    });
  });
});
