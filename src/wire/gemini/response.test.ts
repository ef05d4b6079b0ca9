import { describe, expect, it } from 'vitest';
import { OutlastError } from '../../errors/index.ts';
import type { CanonicalResponse } from '../canonical/index.ts';
import { fixtureNames, readJson } from './fixtures/load.ts';
import { decodeResponse, encodeResponse } from './response.ts';

const identityFixtures = fixtureNames('response.', '.json').filter((n) => !n.includes('.reference.'));

describe('gemini response round trip', () => {
  it.each(identityFixtures)('%s: Gemini → canonical → Gemini is identity', (name) => {
    const body = readJson(name);
    const canonical = decodeResponse(body);
    expect(encodeResponse(canonical, { model: canonical.model })).toEqual(body);
  });
});

describe('decodeResponse', () => {
  it.each([
    ['response.text.json', 'end_turn'],
    ['response.function_call.json', 'tool_use'],
    ['response.parallel_function_calls.json', 'tool_use'],
    ['response.max_tokens.json', 'max_tokens'],
    ['response.safety.json', 'refusal'],
    ['response.recitation.json', 'refusal'],
    ['response.blocked_prompt.json', 'refusal'],
  ])('%s stops with %s', (name, stopReason) => {
    expect(decodeResponse(readJson(name)).stopReason).toBe(stopReason);
  });

  it('gives parallel calls distinct stable ids, the same on every decode', () => {
    const first = decodeResponse(readJson('response.parallel_function_calls.json'));
    const again = decodeResponse(readJson('response.parallel_function_calls.json'));
    const ids = first.content.flatMap((b) => (b.type === 'tool_use' ? [b.id] : []));
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(again.content).toEqual(first.content);
    expect(first.content[2]).toMatchObject({
      name: 'get_weather',
      input: { location: 'Tokyo', unit: 'celsius' },
    });
  });

  it('maps usage: cache reads out of input, thoughts into output', () => {
    const res = decodeResponse(readJson('response.thinking.json'));
    expect(res.usage).toEqual({
      inputTokens: 216,
      outputTokens: 170,
      cacheReadTokens: 1024,
      reasoningTokens: 152,
    });
    expect(res.content.map((b) => b.type)).toEqual(['thinking', 'tool_use']);
    expect(res.content[0]).toMatchObject({ signature: 'CiQBVKhc7mJ0aG91Z2h0LXNpZ25hdHVyZS1leGFtcGxl' });
    expect(res.model).toBe('gemini-2.5-pro');
    expect(res.id).toBe('th6aZ5fDMqqOz7IPmc3ZyAg');
  });

  it('reads the reference function-call answer, which has no responseId', () => {
    const res = decodeResponse(readJson('response.function_call.reference.json'));
    expect(res.id).toMatch(/^gemini_/);
    expect(res.content[0]).toMatchObject({
      type: 'tool_use',
      name: 'get_weather',
      input: { location: 'Paris' },
    });
  });

  it('throws invalid_response for a body that is not a response', () => {
    for (const body of [null, 'text', { candidates: 'x' }, {}]) {
      try {
        decodeResponse(body);
        expect.unreachable();
      } catch (error) {
        expect(OutlastError.isInstance(error) && error.kind).toBe('invalid_response');
      }
    }
  });
});

describe('encodeResponse from another format', () => {
  it('writes stop reasons, usage and tool calls the Gemini way', () => {
    const res: CanonicalResponse = {
      id: 'msg_1',
      model: 'claude-x',
      content: [
        { type: 'thinking', thinking: 'plan', signature: 'sig' },
        { type: 'text', text: 'Calling.' },
        { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: 1 } },
      ],
      stopReason: 'tool_use',
      usage: { inputTokens: 10, outputTokens: 7, cacheReadTokens: 5, cacheWriteTokens: 2 },
    };
    expect(encodeResponse(res, { model: 'gemini-2.5-flash' })).toEqual({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'plan', thought: true },
              { text: 'Calling.', thoughtSignature: 'sig' },
              { functionCall: { name: 'f', args: { a: 1 } } },
            ],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: 17,
        candidatesTokenCount: 7,
        totalTokenCount: 24,
        cachedContentTokenCount: 5,
      },
      modelVersion: 'gemini-2.5-flash',
      responseId: 'msg_1',
    });
    const stop = (stopReason: CanonicalResponse['stopReason']) =>
      (
        encodeResponse({ ...res, stopReason }, { model: 'g' }) as {
          candidates: Array<{ finishReason: string }>;
        }
      ).candidates[0]!.finishReason;
    expect(['end_turn', 'stop_sequence', 'max_tokens', 'refusal'].map((s) => stop(s as never))).toEqual([
      'STOP',
      'STOP',
      'MAX_TOKENS',
      'SAFETY',
    ]);
  });
});
