import { GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockProvider, startMockProvider } from '../../src/testing/index.ts';

let mock: MockProvider;
let ai: GoogleGenAI;
beforeAll(async () => {
  mock = await startMockProvider({ seed: 5 });
  ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: mock.baseURLs.gemini } });
});
afterAll(async () => {
  await mock.close();
});

describe('the official @google/genai client against a healthy mock', () => {
  it('generates content, streamed and not, with the same text', async () => {
    const whole = await ai.models.generateContent({ model: 'gemini-mock', contents: 'Say hello.' });
    expect(whole.text).toMatch(/\w+\.$/);
    expect(whole.usageMetadata?.candidatesTokenCount).toBeGreaterThan(0);
    let text = '';
    for await (const chunk of await ai.models.generateContentStream({
      model: 'gemini-mock',
      contents: 'Say hello.',
    }))
      text += chunk.text ?? '';
    expect(text).toBe(whole.text);
    expect(mock.log().map((e) => [e.format, e.model, e.stream, e.status])).toEqual([
      ['gemini', 'gemini-mock', false, 200],
      ['gemini', 'gemini-mock', true, 200],
    ]);
  });
});
