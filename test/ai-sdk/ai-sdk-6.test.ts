/**
 * `outlast/ai-sdk` on the previous major, AI SDK 6 (installed as `ai-v6`, an npm alias of
 * ai@6), through `languageModelV3()`: the spec v3 model. AI SDK 6 refuses v4 models, so this
 * is what its users call. The same behaviours as ai-sdk.test.ts, over real sockets.
 */
import {
  APICallError,
  generateObject,
  generateText,
  type LanguageModel,
  stepCountIs,
  streamText,
  tool,
  UnsupportedModelVersionError,
} from 'ai-v6';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOutlast, type OutlastProvider } from '../../src/integrations/ai-sdk/index.ts';
import type { MockProvider } from '../../src/testing/index.ts';
import { FAST, providersFor, startMock } from '../engine/support/harness.ts';
import { waitFor } from '../support/wait-for.ts';

let mock: MockProvider;
let outlast: OutlastProvider | undefined;
beforeAll(async () => {
  mock = await startMock();
});
afterEach(async () => {
  await outlast?.close();
  outlast = undefined;
  mock.setScenario({});
  mock.reset();
});
afterAll(async () => {
  await mock.close();
});

const make = () => {
  outlast = createOutlast({
    providers: providersFor(mock),
    routes: { default: ['anthropic/claude-sonnet-4-5', 'openai/gpt-4.1'] },
    ...FAST,
  });
  return outlast;
};
/**
 * The v3 model typed as AI SDK 6 sees it. Here @ai-sdk/provider resolves to 4.x (for AI SDK 7),
 * whose copy of the v3 types differs in readonly JSON; an AI SDK 6 project resolves outlast's
 * types to its own 3.x and needs no cast.
 */
const v3 = (provider: OutlastProvider, modelId: string) =>
  provider.languageModelV3(modelId) as unknown as LanguageModel;
const outlastMeta = (metadata: unknown) => (metadata as { outlast: Record<string, unknown> }).outlast;

describe('AI SDK 6 (spec v3)', () => {
  it('refuses the v4 model by name, which is why languageModelV3 exists', async () => {
    const error = await generateText({
      model: make()('default') as unknown as LanguageModel,
      prompt: 'hello',
    }).catch((e: unknown) => e);
    expect(UnsupportedModelVersionError.isInstance(error)).toBe(true);
    expect(mock.log()).toHaveLength(0);
  });

  it('generateText falls back from an Anthropic 529 to OpenAI and reports the model that answered', async () => {
    mock.setScenario({ models: { 'claude-sonnet-4-5': { faults: ['529'] } } });
    const result = await generateText({ model: v3(make(), 'default'), prompt: 'Tell me about it.' });
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.response.modelId).toBe('gpt-4.1');
    expect(result.finishReason).toBe('stop');
    expect(outlastMeta(result.providerMetadata).fallbacks).toBe(1);
    expect(mock.log()[0]).toMatchObject({ model: 'claude-sonnet-4-5', status: 529 });
    expect(mock.log().at(-1)).toMatchObject({ model: 'gpt-4.1', status: 200 });
  });

  it('streamText across a stream cut mid-answer gives the whole text with no seam', async () => {
    const prompt = 'Write a long answer about streams.';
    const full = await generateText({ model: v3(make(), 'anthropic/claude-sonnet-4-5'), prompt });
    await outlast?.close();
    mock.reset();
    mock.setScenario({ models: { 'claude-sonnet-4-5': { faults: [{ fault: 'cut after=6', times: 1 }] } } });
    const streamed = streamText({ model: v3(make(), 'default'), prompt });
    let text = '';
    for await (const delta of streamed.textStream) text += delta;
    expect(text).toBe(full.text);
    expect(outlastMeta(await streamed.providerMetadata).continued).toBe(true);
    expect(mock.log().map((e) => e.continuation ?? null)).toEqual([null, 'prefill']);
  });

  it('a tool call from Anthropic, its result answered by OpenAI', async () => {
    const provider = make();
    const result = await generateText({
      model: v3(provider, 'anthropic/claude-sonnet-4-5'),
      tools: {
        weather: tool({
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => `${city}: sunny`,
        }),
      },
      toolChoice: 'required',
      prompt: 'Weather in Paris?',
      stopWhen: stepCountIs(2),
      prepareStep: ({ stepNumber }) =>
        stepNumber === 1 ? { model: v3(provider, 'openai/gpt-4.1'), toolChoice: 'auto' } : undefined,
    });
    expect(result.steps[0]!.toolCalls[0]!.toolName).toBe('weather');
    expect(result.steps[0]!.toolResults[0]!.output).toMatch(/: sunny$/);
    expect(result.steps[1]!.response.modelId).toBe('gpt-4.1');
    expect(result.text.length).toBeGreaterThan(0);
    expect(mock.log().map((e) => e.format)).toEqual(['anthropic', 'openai']);
  });

  it('generateObject with a schema', async () => {
    const schema = z.object({ name: z.string(), count: z.number(), tags: z.array(z.string()) });
    const result = await generateObject({ model: v3(make(), 'default'), schema, prompt: 'Describe.' });
    expect(schema.parse(result.object)).toEqual(result.object);
  });

  it('an exhausted route fails once: the AI SDK retries nothing', async () => {
    mock.setScenario({ models: { '*': { faults: ['529'] } } });
    const error = await generateText({ model: v3(make(), 'default'), prompt: 'hello' }).catch(
      (e: unknown) => e,
    );
    expect(APICallError.isInstance(error) && error.isRetryable).toBe(false);
    expect((error as APICallError).statusCode).toBe(529);
    const attempts = ((error as APICallError).data as { attempts: unknown[] }).attempts;
    expect(mock.log()).toHaveLength(attempts.length);
  });

  it('cancellation closes the upstream socket', async () => {
    mock.setScenario({ models: { 'claude-sonnet-4-5': { tokenMs: 20, answerTokens: 300 } } });
    const controller = new AbortController();
    const streamed = streamText({
      model: v3(make(), 'default'),
      prompt: 'A long one.',
      abortSignal: controller.signal,
    });
    let deltas = 0;
    await (async () => {
      for await (const _ of streamed.textStream) if (++deltas === 3) controller.abort();
    })().catch(() => {});
    await waitFor(() => mock.log()[0]?.disconnected === true);
    expect(mock.log()).toHaveLength(1);
    expect(mock.log()[0]!.disconnected).toBe(true);
  });
});
