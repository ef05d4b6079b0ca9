import type { LanguageModelV3Prompt, LanguageModelV4Prompt } from '@ai-sdk/provider';
import { UnsupportedFunctionalityError } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { convertPrompt } from './convert-prompt.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

describe('convertPrompt', () => {
  it('system turns become system blocks; tool results and the next user turn merge into one user message', () => {
    const prompt: LanguageModelV4Prompt = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'Look it up.', providerOptions: { outlast: { signature: 'sig123' } } },
          { type: 'text', text: '' },
          { type: 'tool-call', toolCallId: 'call_1', toolName: 'weather', input: { city: 'Oslo' } },
        ],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'call_1',
            toolName: 'weather',
            output: { type: 'json', value: { c: 3 } },
          },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'And tomorrow?' }] },
    ];
    expect(convertPrompt(prompt)).toEqual({
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Look it up.', signature: 'sig123' },
            { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Oslo' } },
          ],
        },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              toolUseId: 'call_1',
              name: 'weather',
              content: [{ type: 'text', text: '{"c":3}' }],
            },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
      ],
    });
  });

  it('redacted reasoning goes back as redacted thinking; error outputs are marked', () => {
    const { messages } = convertPrompt([
      {
        role: 'assistant',
        content: [{ type: 'reasoning', text: '', providerOptions: { outlast: { redactedData: 'opaque' } } }],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'c',
            toolName: 't',
            output: { type: 'error-text', value: 'boom' },
          },
          { type: 'tool-result', toolCallId: 'd', toolName: 't', output: { type: 'execution-denied' } },
        ],
      },
    ]);
    expect(messages[0]!.content).toEqual([{ type: 'redacted_thinking', data: 'opaque' }]);
    expect(messages[1]!.content).toMatchObject([
      { type: 'tool_result', toolUseId: 'c', isError: true, content: [{ type: 'text', text: 'boom' }] },
      { type: 'tool_result', toolUseId: 'd', isError: true },
    ]);
  });

  it('reads images in both versions: v4 tagged data, v3 bytes, base64 and URLs; sniffs a bare "image" type', () => {
    const v4: LanguageModelV4Prompt = [
      {
        role: 'user',
        content: [
          { type: 'file', mediaType: 'image', data: { type: 'data', data: PNG } },
          {
            type: 'file',
            mediaType: 'image/jpeg',
            data: { type: 'url', url: new URL('https://x.test/a.jpg') },
          },
          { type: 'file', mediaType: 'text/plain', data: { type: 'text', text: 'inline' } },
        ],
      },
    ];
    expect(convertPrompt(v4).messages[0]!.content).toEqual([
      { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: PNG.toString('base64') } },
      { type: 'image', source: { type: 'url', url: 'https://x.test/a.jpg' } },
      { type: 'text', text: 'inline' },
    ]);
    const v3: LanguageModelV3Prompt = [
      {
        role: 'user',
        content: [
          { type: 'file', mediaType: 'image/png', data: new Uint8Array(PNG) },
          { type: 'file', mediaType: 'image/png', data: 'aGVsbG8=' },
          { type: 'file', mediaType: 'image/webp', data: new URL('https://x.test/b.webp') },
          { type: 'file', mediaType: 'image/gif', data: 'data:image/gif;base64,R0lGOD' },
        ],
      },
    ];
    expect(convertPrompt(v3).messages[0]!.content).toEqual([
      { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: PNG.toString('base64') } },
      { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'aGVsbG8=' } },
      { type: 'image', source: { type: 'url', url: 'https://x.test/b.webp' } },
      { type: 'image', source: { type: 'base64', mediaType: 'image/gif', data: 'R0lGOD' } },
    ]);
  });

  it('refuses what it cannot carry, by name, instead of dropping it', () => {
    const pdf = () =>
      convertPrompt([
        {
          role: 'user',
          content: [{ type: 'file', mediaType: 'application/pdf', data: { type: 'data', data: 'JVBE' } }],
        },
      ]);
    expect(pdf).toThrow(UnsupportedFunctionalityError);
    expect(pdf).toThrow(/application\/pdf/);
    expect(() =>
      convertPrompt([
        {
          role: 'assistant',
          content: [{ type: 'tool-call', toolCallId: 'x', toolName: 'f', input: '[1,2]' }],
        },
      ]),
    ).toThrow(/"f" whose input is not a JSON object/);
  });
});
