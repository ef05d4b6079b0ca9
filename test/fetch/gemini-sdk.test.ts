import { ApiError, GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FetchHarness, hits, startFetchHarness } from './support.ts';

let h: FetchHarness;
let ai: GoogleGenAI;
/** The same mock without outlast: what a healthy answer looks like. */
let direct: GoogleGenAI;

beforeAll(async () => {
  h = await startFetchHarness(
    {
      'gemini-down': { faults: [{ fault: '500' }] },
      'gemini-cut': { faults: [{ fault: 'cut after=5', times: 1 }] },
      'gemini-cut-healthy': { textKey: 'gemini-cut' },
      'gemini-limited': { faults: [{ fault: '429' }] },
    },
    {
      routes: {
        'gemini-fallback': ['gemini/gemini-down', 'openai/gpt-mock'],
      },
    },
  );
  ai = new GoogleGenAI({
    apiKey: 'unused',
    httpOptions: { baseUrl: h.mock.baseURLs.gemini, fetch: h.fetch },
  });
  direct = new GoogleGenAI({ apiKey: 'unused', httpOptions: { baseUrl: h.mock.baseURLs.gemini } });
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => h.mock.reset());

const contents = 'Tell me about timeouts.';

describe('@google/genai with httpOptions.fetch: createFetch(...)', () => {
  it('generates content, streamed and not, through the engine', async () => {
    const healthy = await direct.models.generateContent({ model: 'gemini-mock', contents });
    h.mock.reset();
    const whole = await ai.models.generateContent({ model: 'gemini/gemini-mock', contents });
    expect(whole.text).toBe(healthy.text);
    expect(whole.usageMetadata?.candidatesTokenCount).toBe(healthy.usageMetadata?.candidatesTokenCount);
    let text = '';
    for await (const chunk of await ai.models.generateContentStream({
      model: 'gemini/gemini-mock',
      contents,
    }))
      text += chunk.text ?? '';
    expect(text).toBe(healthy.text);
    // Both went upstream streamed: the engine always streams.
    expect(h.mock.log().map((e) => [e.format, e.model, e.stream])).toEqual([
      ['gemini', 'gemini-mock', true],
      ['gemini', 'gemini-mock', true],
    ]);
  });

  it('falls back from a failing Gemini model to an OpenAI-format upstream (the path names the route)', async () => {
    const answer = await ai.models.generateContent({ model: 'gemini-fallback', contents });
    expect(answer.text?.length).toBeGreaterThan(0);
    expect(hits(h.mock.log())).toEqual(['gemini gemini-down', 'gemini gemini-down', 'openai gpt-mock']);
  });

  it('hides a mid-stream cut: the stream completes with the full text', async () => {
    const healthy = await direct.models.generateContent({ model: 'gemini-cut-healthy', contents });
    h.mock.reset();
    let text = '';
    for await (const chunk of await ai.models.generateContentStream({ model: 'gemini/gemini-cut', contents }))
      text += chunk.text ?? '';
    expect(text).toBe(healthy.text);
    expect(h.mock.log()).toHaveLength(2);
  });

  it('surfaces an exhausted route as the SDK ApiError with the status', async () => {
    const error = await ai.models.generateContent({ model: 'gemini/gemini-limited', contents }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(429);
    expect((error as ApiError).message).toMatch(/RESOURCE_EXHAUSTED/);
    expect(h.mock.log()).toHaveLength(2);
  });
});
