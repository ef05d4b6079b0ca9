import type { LanguageModelV4CallOptions } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { OutlastError } from '../../errors/index.ts';
import { prepareCall } from './call-options.ts';

const prompt: LanguageModelV4CallOptions['prompt'] = [
  { role: 'user', content: [{ type: 'text', text: 'hi' }] },
];

describe('prepareCall', () => {
  it('maps settings, tools, tool choice and structured output onto the canonical request', () => {
    const signal = new AbortController().signal;
    const { request, callOptions, warnings } = prepareCall(
      {
        prompt,
        maxOutputTokens: 100,
        temperature: 0.3,
        topP: 0.9,
        topK: 5,
        stopSequences: ['END'],
        tools: [{ type: 'function', name: 'f', description: 'd', inputSchema: { type: 'object' } }],
        toolChoice: { type: 'required' },
        responseFormat: { type: 'json', schema: { type: 'object' }, name: 'my output!' },
        abortSignal: signal,
        headers: { 'user-agent': 'ai/7' },
        providerOptions: { outlast: { timeout: 'quick', user: 'u1' } },
      },
      'default',
      true,
    );
    expect(request).toEqual({
      model: 'default',
      stream: true,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      maxTokens: 100,
      temperature: 0.3,
      topP: 0.9,
      topK: 5,
      stopSequences: ['END'],
      tools: [{ name: 'f', description: 'd', inputSchema: { type: 'object' } }],
      toolChoice: { type: 'any' },
      responseFormat: { type: 'json_schema', name: 'my_output_', schema: { type: 'object' } },
      user: 'u1',
    });
    expect(callOptions).toEqual({ signal, timeout: 'quick' });
    expect(warnings).toEqual([]);
  });

  it('maps reasoning levels to thinking budgets; its own thinking option wins', () => {
    expect(prepareCall({ prompt, reasoning: 'low' }, 'm', false).request.thinking).toEqual({
      type: 'enabled',
      budgetTokens: 2048,
    });
    expect(prepareCall({ prompt, reasoning: 'none' }, 'm', false).request.thinking).toEqual({
      type: 'disabled',
    });
    expect(
      prepareCall({ prompt, reasoning: 'provider-default' }, 'm', false).request.thinking,
    ).toBeUndefined();
    const own = prepareCall(
      { prompt, reasoning: 'high', providerOptions: { outlast: { thinking: { type: 'adaptive' } } } },
      'm',
      false,
    );
    expect(own.request.thinking).toEqual({ type: 'adaptive' });
  });

  it('warns about what it cannot send rather than dropping it silently', () => {
    const { warnings, request } = prepareCall(
      {
        prompt,
        seed: 1,
        presencePenalty: 0.1,
        headers: { 'x-trace': 'abc', 'user-agent': 'ai' },
        tools: [{ type: 'provider', id: 'openai.web_search', name: 'web', args: {} }],
        toolChoice: { type: 'auto' },
      },
      'm',
      false,
    );
    expect(warnings.map((w) => (w.type === 'unsupported' ? w.feature : w.type))).toEqual([
      'presencePenalty',
      'seed',
      'headers',
      'provider tool web',
    ]);
    expect(request.tools).toBeUndefined();
    expect(request.toolChoice).toBeUndefined();
  });

  it('rejects a bad providerOptions.outlast by name', () => {
    const bad = () =>
      prepareCall({ prompt, providerOptions: { outlast: { timeout: -5, colour: 'red' } } }, 'm', false);
    expect(bad).toThrow(OutlastError);
    expect(bad).toThrow(/providerOptions\.outlast/);
  });
});
