import { describe, expect, it } from 'vitest';
import { OutlastError } from '../../errors/index.ts';
import type { CanonicalResponse } from '../canonical/index.ts';
import { fixtureNames, readJsonFixture } from './fixtures.ts';
import { openaiCodec } from './index.ts';

describe('openai response round trip', () => {
  it.each(fixtureNames('response.'))('%s: OpenAI → canonical → OpenAI is identity', (name) => {
    const body = readJsonFixture(name) as { model: string };
    const canonical = openaiCodec.decodeResponse(body);
    expect(openaiCodec.encodeResponse(canonical, { model: body.model })).toEqual(body);
  });
});

describe('openai response → canonical', () => {
  it('reads parallel tool calls with parsed arguments and the tool_calls stop reason', () => {
    const r = openaiCodec.decodeResponse(readJsonFixture('response.parallel_tool_calls.json'));
    expect(r.stopReason).toBe('tool_use');
    expect(r.content).toMatchObject([
      { type: 'text', text: 'Let me check both cities.' },
      { type: 'tool_use', id: 'call_paris', name: 'get_weather', input: { location: 'Paris' } },
      { type: 'tool_use', id: 'call_rome', name: 'get_weather', input: { location: 'Rome' } },
    ]);
    expect(r.usage).toEqual({ inputTokens: 120, outputTokens: 40 });
  });

  it.each([
    ['response.text.json', 'end_turn'],
    ['response.length_cached_reasoning.json', 'max_tokens'],
    ['response.content_filter.json', 'refusal'],
    ['response.tool_calls.json', 'tool_use'],
  ])('%s stops with %s', (name, stop) => {
    expect(openaiCodec.decodeResponse(readJsonFixture(name)).stopReason).toBe(stop);
  });

  it('splits cached tokens out of prompt tokens and keeps reasoning tokens', () => {
    const r = openaiCodec.decodeResponse(readJsonFixture('response.length_cached_reasoning.json'));
    expect(r.usage).toEqual({
      inputTokens: 86,
      outputTokens: 300,
      cacheReadTokens: 1920,
      reasoningTokens: 256,
    });
  });

  it('reads reasoning_content as a thinking block and a refusal as text', () => {
    const r = openaiCodec.decodeResponse(readJsonFixture('response.reasoning_content.json'));
    expect(r.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    const refusal = openaiCodec.decodeResponse(readJsonFixture('response.refusal.json'));
    expect(refusal.content).toMatchObject([
      { type: 'text', text: "I'm sorry, I can't help with that request." },
    ]);
  });

  it.each([
    [{ id: 'x' }, /model/],
    [{ id: 'x', model: 'm', choices: [] }, /choices/],
    ['<html>', /expected object/],
  ])('refuses a body that is not a completion (%#) as invalid_response', (body, message) => {
    let error: unknown;
    try {
      openaiCodec.decodeResponse(body);
    } catch (e) {
      error = e;
    }
    expect((error as OutlastError).kind).toBe('invalid_response');
    expect((error as OutlastError).message).toMatch(message);
  });

  it('refuses unparseable tool arguments as invalid_response', () => {
    const body = readJsonFixture('response.tool_calls.json') as {
      choices: Array<{ message: { tool_calls: Array<{ function: { arguments: string } }> } }>;
    };
    body.choices[0]!.message.tool_calls[0]!.function.arguments = '{"location": "Par';
    expect(() => openaiCodec.decodeResponse(body)).toThrow(OutlastError);
    try {
      openaiCodec.decodeResponse(body);
    } catch (e) {
      expect((e as OutlastError).kind).toBe('invalid_response');
      expect((e as OutlastError).message).toMatch(/tool_calls\.0.*not valid JSON/);
    }
  });
});

describe('canonical → openai response', () => {
  it('encodes an Anthropic-shaped answer: text joined, tool calls, finish reason and usage with cache', () => {
    const response: CanonicalResponse = {
      id: 'msg_1',
      model: 'claude-x',
      content: [
        { type: 'thinking', thinking: 'Let me think.', signature: 's' },
        { type: 'text', text: 'Checking. ' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } },
      ],
      stopReason: 'tool_use',
      usage: { inputTokens: 10, outputTokens: 20, cacheReadTokens: 100, cacheWriteTokens: 5 },
    };
    const body = openaiCodec.encodeResponse(response, { model: 'route-model' }) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: 'msg_1',
      object: 'chat.completion',
      model: 'route-model',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Checking. ',
            refusal: null,
            reasoning_content: 'Let me think.',
            tool_calls: [
              {
                id: 'toolu_1',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
              },
            ],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: {
        prompt_tokens: 115,
        completion_tokens: 20,
        total_tokens: 135,
        prompt_tokens_details: { cached_tokens: 100 },
      },
    });
    expect(typeof body.created).toBe('number');
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
  ] as const)('stop reason %s → finish_reason %s', (stopReason, finish) => {
    const body = openaiCodec.encodeResponse(
      { id: 'a', model: 'm', content: [], stopReason, usage: { inputTokens: 0, outputTokens: 0 } },
      { model: 'm' },
    ) as { choices: Array<{ finish_reason: string; message: { content: unknown } }> };
    expect(body.choices[0]!.finish_reason).toBe(finish);
    expect(body.choices[0]!.message.content).toBeNull();
  });
});
