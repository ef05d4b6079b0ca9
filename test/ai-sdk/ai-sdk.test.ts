/**
 * `outlast/ai-sdk` with the real AI SDK (7, spec v4) against the mock provider over real
 * sockets: fallbacks, continued streams, tools across formats, structured output, errors
 * that the AI SDK must not retry, cancellation.
 */
import {
  APICallError,
  createProviderRegistry,
  generateObject,
  generateText,
  jsonSchema,
  Output,
  stepCountIs,
  streamObject,
  streamText,
  tool,
} from 'ai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOutlast, type OutlastProvider } from '../../src/integrations/ai-sdk/index.ts';
import type { MockProvider } from '../../src/testing/index.ts';
import { attemptsByModel, FAST, providersFor, startMock } from '../engine/support/harness.ts';
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

const ROUTE = ['anthropic/claude-sonnet-4-5', 'openai/gpt-4.1'];
const make = (
  routes: Record<string, string[]> = { default: ROUTE },
  extra: Partial<Parameters<typeof createOutlast>[0]> = {},
) => {
  outlast = createOutlast({ providers: providersFor(mock), routes, ...FAST, ...extra });
  return outlast;
};
const outlastMeta = (metadata: unknown) => (metadata as { outlast: Record<string, unknown> }).outlast;

describe('generateText', () => {
  it('falls back from an Anthropic 529 to OpenAI and reports the model that answered', async () => {
    mock.setScenario({ models: { 'claude-sonnet-4-5': { faults: ['529'] } } });
    const model = make()('default');
    const result = await generateText({ model, prompt: 'Tell me about resilience.' });

    expect(result.text.length).toBeGreaterThan(0);
    expect(result.response.modelId).toBe('gpt-4.1');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    const meta = outlastMeta(result.providerMetadata);
    expect(meta.answeredBy).toEqual({ provider: 'openai', model: 'gpt-4.1' });
    expect(meta.fallbacks).toBe(1);
    // The trace holds every upstream request the mock saw, in order: the 529s, then OpenAI's answer.
    const attempts = meta.attempts as Array<Record<string, unknown>>;
    expect(attempts.map((a) => a.model)).toEqual(mock.log().map((e) => e.model));
    expect(attempts.map((a) => a.status)).toEqual(
      mock.log().map((e) => (e.status === 200 ? undefined : e.status)),
    );
    expect(attempts[0]).toMatchObject({ model: 'claude-sonnet-4-5', outcome: 'error', status: 529 });
    expect(attempts.at(-1)).toMatchObject({ model: 'gpt-4.1', outcome: 'success' });
    // The same text as OpenAI gives when asked directly: the fallback changed nothing else.
    const direct = await generateText({
      model: make()('openai/gpt-4.1'),
      prompt: 'Tell me about resilience.',
    });
    expect(result.text).toBe(direct.text);
  });

  it('a silent first token is cut off at the first-token timeout and the call moves on', async () => {
    // The AI SDK has no first-token timeout of its own: outlast's (250 ms here) catches the silent model.
    mock.setScenario({ models: { 'claude-sonnet-4-5': { faults: ['slow_first_token ms=5000'] } } });
    const streamed = streamText({ model: make()('default'), prompt: 'Quick, please.' });
    expect((await streamed.text).length).toBeGreaterThan(0);
    expect((await streamed.response).modelId).toBe('gpt-4.1');
    const attempts = outlastMeta(await streamed.providerMetadata).attempts as Array<Record<string, unknown>>;
    expect(attempts[0]).toMatchObject({ model: 'claude-sonnet-4-5', outcome: 'error', errorKind: 'timeout' });
    expect(attempts[0]!.message).toMatch(/first.token/i);
    await waitFor(() => mock.log()[0]?.disconnected === true);
    expect(mock.log()[0]!.disconnected).toBe(true);
  });

  it("an open breaker keeps the AI SDK's calls off a failing target, and the trace says so", async () => {
    mock.setScenario({ models: { 'claude-sonnet-4-5': { faults: ['529'] } } });
    // These calls fail within a second; a breaker opens on failures at one instant only with minimumSpanMs 0.
    const model = make(undefined, { breaker: { minimumSpanMs: 0 } })('default');
    const skips: unknown[] = [];
    for (let i = 0; i < 8; i++) {
      const result = await generateText({ model, prompt: `Call ${i}.` });
      expect(result.response.modelId).toBe('gpt-4.1');
      skips.push(...(outlastMeta(result.providerMetadata).breakerSkips as unknown[]));
    }
    expect(skips).toContainEqual({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      reason: 'breaker_open',
    });
    expect(attemptsByModel(mock.log())['claude-sonnet-4-5']).toBeLessThan(8);
    expect(attemptsByModel(mock.log())['gpt-4.1']).toBe(8);
  });

  it('is a provider the AI SDK registry takes', async () => {
    const registry = createProviderRegistry({ outlast: make() });
    const result = await generateText({
      model: registry.languageModel('outlast:openai/gpt-4.1'),
      prompt: 'hi',
    });
    expect(result.response.modelId).toBe('gpt-4.1');
    expect(() => registry.embeddingModel('outlast:x')).toThrow(/language models only/);
  });

  it('maps a max_tokens stop to length and usage to the spec fields', async () => {
    const result = await generateText({
      model: make()('anthropic/claude-sonnet-4-5'),
      prompt: 'Tell me about resilience.',
      maxOutputTokens: 5,
    });
    expect(result.finishReason).toBe('length');
    expect(result.rawFinishReason).toBe('max_tokens');
    expect(result.usage.outputTokens).toBe(5);
    expect(result.text.trim().split(/\s+/)).toHaveLength(5);
  });

  it('an exhausted route fails once, as an APICallError the AI SDK does not retry', async () => {
    mock.setScenario({ models: { '*': { faults: ['529'] } } });
    // A fresh engine for each call, so that breakers opened by one call do not shorten the next.
    const fresh = async () => {
      await outlast?.close();
      mock.reset();
      return make()('default');
    };
    let model = await fresh();
    // maxRetries left at the AI SDK's default (2): a retryable error would run the route three times over.
    const error = await generateText({ model, prompt: 'hello' }).catch((e: unknown) => e);
    expect(APICallError.isInstance(error)).toBe(true);
    const apiError = error as APICallError;
    expect(apiError.isRetryable).toBe(false);
    expect(apiError.statusCode).toBe(529);
    const data = apiError.data as { kind: string; provider: 'anthropic' | 'openai'; attempts: unknown[] };
    expect(data.kind).toBe('overloaded');
    // The primary's failure, as the engine reports it, with the base URL of that provider.
    expect(data.provider).toBe('anthropic');
    expect(apiError.url).toBe(mock.baseURLs.anthropic);
    expect(apiError.cause).toMatchObject({ name: 'OutlastError', kind: 'overloaded' });
    const once = mock.log().length;
    expect(data.attempts).toHaveLength(once);
    expect(attemptsByModel(mock.log())).toEqual({
      'claude-sonnet-4-5': expect.any(Number),
      'gpt-4.1': expect.any(Number),
    });
    // The same with the AI SDK's retries off: not one upstream request more with them on.
    model = await fresh();
    await generateText({ model, prompt: 'hello', maxRetries: 0 }).catch(() => {});
    expect(mock.log()).toHaveLength(once);

    model = await fresh();
    const errors: unknown[] = [];
    const streamed = streamText({ model, prompt: 'hello', onError: ({ error: e }) => void errors.push(e) });
    let text = '';
    for await (const delta of streamed.textStream) text += delta;
    expect(text).toBe('');
    expect(errors).toHaveLength(1);
    expect(APICallError.isInstance(errors[0]) && (errors[0] as APICallError).isRetryable).toBe(false);
    expect(mock.log()).toHaveLength(once);
  });
});

describe('streamText', () => {
  it('continues a stream cut mid-answer: the whole text, no seam, the trace says continued', async () => {
    const prompt = 'Write a long answer about streams.';
    const full = await generateText({ model: make()('anthropic/claude-sonnet-4-5'), prompt });
    await outlast?.close();
    mock.reset();
    mock.setScenario({ models: { 'claude-sonnet-4-5': { faults: [{ fault: 'cut after=6', times: 1 }] } } });

    const streamed = streamText({ model: make()('default'), prompt });
    const deltas: string[] = [];
    for await (const delta of streamed.textStream) deltas.push(delta);
    expect(deltas.join('')).toBe(full.text);
    expect(await streamed.text).toBe(full.text);
    expect(await streamed.finishReason).toBe('stop');
    const meta = outlastMeta(await streamed.providerMetadata);
    expect(meta.continued).toBe(true);
    expect((await streamed.response).modelId).toBe('claude-sonnet-4-5');
    expect(mock.log().map((e) => [e.model, e.continuation ?? null, e.continuationMatched ?? null])).toEqual([
      ['claude-sonnet-4-5', null, null],
      ['claude-sonnet-4-5', 'prefill', true],
    ]);
  });

  // How the continuing model answers (the mock's continuation behaviours): exactly, with an overlap,
  // a restarted sentence, the whole answer again, a chatty preamble, or the prefill ignored, after an
  // Anthropic prefill or an OpenAI "continue" turn. textStream must show none of it.
  const aligned = ['exact', 'overlap chars=30', 'sentence_restart', 'full_restart', 'prefill_ignored'];
  it.each([
    ...aligned.map((b) => ['anthropic/claude-sonnet-4-5', b]),
    ...[...aligned, 'preamble'].map((b) => ['openai/gpt-4.1', b]),
  ])('%s continuing with %s: the text has no seam', async (target, behaviour) => {
    const prompt = 'Write a long answer about streams.';
    const full = await generateText({ model: make()(target), prompt });
    await outlast?.close();
    mock.reset();
    const model = target.split('/')[1]!;
    mock.setScenario({
      models: { [model]: { faults: [{ fault: 'cut after=9', times: 1 }], continuation: behaviour } },
    });
    let text = '';
    const streamed = streamText({ model: make()(target), prompt });
    for await (const delta of streamed.textStream) text += delta;
    expect(text).toBe(full.text);
    expect(outlastMeta(await streamed.providerMetadata).continued).toBe(true);
    expect(mock.log().map((e) => e.continuationMatched ?? null)).toEqual([null, true]);
  });

  it.each([
    ['openai/gpt-4.1', 'paraphrase'],
    ['openai/gpt-4.1', 'different'],
    ['anthropic/claude-sonnet-4-5', 'different'],
  ])(
    '%s continuing with %s, which cannot be aligned: what arrived, then an error, nothing altered',
    async (target, behaviour) => {
      const prompt = 'Write a long answer about streams.';
      const full = await generateText({ model: make()(target), prompt });
      await outlast?.close();
      mock.reset();
      const model = target.split('/')[1]!;
      mock.setScenario({
        models: { [model]: { faults: [{ fault: 'cut after=9', times: 1 }], continuation: behaviour } },
      });
      const errors: unknown[] = [];
      const streamed = streamText({
        model: make()(target),
        prompt,
        onError: ({ error }) => void errors.push(error),
      });
      let text = '';
      for await (const delta of streamed.textStream) text += delta;
      expect(text.length).toBeGreaterThan(0);
      expect(full.text.startsWith(text)).toBe(true);
      expect(text.length).toBeLessThan(full.text.length);
      expect(APICallError.isInstance(errors[0])).toBe(true);
      expect(await streamed.finishReason).toBe('error');
      expect(mock.log().length).toBeGreaterThan(1);
    },
  );

  it('a stream continued on another target reports that target as the model that answered', async () => {
    const prompt = 'Write a long answer about streams.';
    const full = await generateText({ model: make()('anthropic/claude-sonnet-4-5'), prompt });
    await outlast?.close();
    mock.reset();
    // Anthropic cuts every stream; OpenAI (told to answer Anthropic's text) continues it.
    mock.setScenario({
      models: {
        'claude-sonnet-4-5': { faults: ['cut after=6'] },
        'gpt-4.1': { textKey: 'claude-sonnet-4-5' },
      },
    });
    const streamed = streamText({ model: make()('default'), prompt });
    expect(await streamed.text).toBe(full.text);
    expect((await streamed.response).modelId).toBe('gpt-4.1');
    const meta = outlastMeta(await streamed.providerMetadata);
    expect(meta.continued).toBe(true);
    expect(meta.answeredBy).toEqual({ provider: 'openai', model: 'gpt-4.1' });
    expect(mock.log().at(-1)).toMatchObject({ model: 'gpt-4.1', continuationMatched: true });
  });

  it('streams reasoning parts, with their signature in providerMetadata', async () => {
    const streamed = streamText({
      model: make()('anthropic/claude-sonnet-4-5'),
      prompt: 'Think first.',
      reasoning: 'low',
      maxOutputTokens: 4000,
    });
    const types = new Set<string>();
    for await (const part of streamed.fullStream) types.add(part.type);
    expect([...types]).toEqual(
      expect.arrayContaining(['reasoning-start', 'reasoning-delta', 'reasoning-end', 'text-delta', 'finish']),
    );
    const reasoning = (await streamed.reasoning).filter((r) => r.type === 'reasoning');
    expect(reasoning).toHaveLength(1);
    expect(reasoning[0]!.text.split(' ').length).toBeGreaterThan(5);
    expect(outlastMeta(reasoning[0]!.providerMetadata).signature).toMatch(/\w{20,}/);
    expect((await streamed.usage).outputTokens).toBeGreaterThan(16);
  });

  it('cancellation: aborting mid-answer closes the upstream socket', async () => {
    mock.setScenario({ models: { 'claude-sonnet-4-5': { tokenMs: 20, answerTokens: 300 } } });
    const controller = new AbortController();
    const streamed = streamText({
      model: make()('default'),
      prompt: 'A long one.',
      abortSignal: controller.signal,
    });
    let deltas = 0;
    const read = (async () => {
      for await (const _ of streamed.textStream) if (++deltas === 3) controller.abort();
    })();
    await read.catch(() => {});
    await waitFor(() => mock.log()[0]?.disconnected === true);
    expect(mock.log()).toHaveLength(1);
    expect(mock.log()[0]!.disconnected).toBe(true);
    expect(mock.log()[0]!.tokensSent).toBeLessThan(300);
  });

  it('cancellation of generateText before the answer ends rejects with the abort and closes the socket', async () => {
    mock.setScenario({ models: { 'gpt-4.1': { tokenMs: 20, answerTokens: 300 } } });
    const controller = new AbortController();
    const pending = generateText({
      model: make()('openai/gpt-4.1'),
      prompt: 'A long one.',
      abortSignal: controller.signal,
    });
    await waitFor(() => (mock.log()[0]?.tokensSent ?? 0) > 2);
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    await waitFor(() => mock.log()[0]?.disconnected === true);
    expect(mock.log()).toHaveLength(1);
    expect(mock.log()[0]!.disconnected).toBe(true);
  });
});

describe('tools', () => {
  const weatherInput = z.object({ city: z.string(), days: z.number() });
  const weather = tool({
    description: 'The weather in a city',
    inputSchema: weatherInput,
    execute: async ({ city, days }) => `${city}: sunny for ${days} days`,
  });

  it('a tool call from Anthropic, its result answered by OpenAI, in one generateText', async () => {
    const provider = make();
    const result = await generateText({
      model: provider('anthropic/claude-sonnet-4-5'),
      tools: { weather },
      toolChoice: 'required',
      prompt: 'What is the weather in Paris?',
      stopWhen: stepCountIs(2),
      prepareStep: ({ stepNumber }) =>
        stepNumber === 1 ? { model: provider('openai/gpt-4.1'), toolChoice: 'auto' } : undefined,
    });
    const [first, second] = result.steps;
    expect(first!.finishReason).toBe('tool-calls');
    expect(first!.response.modelId).toBe('claude-sonnet-4-5');
    expect(first!.toolCalls).toHaveLength(1);
    const call = first!.toolCalls[0]!;
    expect(call.toolName).toBe('weather');
    expect(call.toolCallId).toMatch(/^toolu_01/);
    expect(typeof (call.input as { city: unknown }).city).toBe('string');
    expect(typeof (call.input as { days: unknown }).days).toBe('number');
    expect(first!.toolResults[0]!.output).toMatch(/: sunny for \d days$/);
    expect(second!.response.modelId).toBe('gpt-4.1');
    expect(second!.text.length).toBeGreaterThan(0);
    // The second request carried the call and its result, translated to OpenAI's shape.
    expect(mock.log().map((e) => [e.format, e.status])).toEqual([
      ['anthropic', 200],
      ['openai', 200],
    ]);
  });

  it('streamText streams the tool input and the call after a fallback to OpenAI', async () => {
    mock.setScenario({ models: { 'claude-sonnet-4-5': { faults: ['529'] } } });
    const streamed = streamText({
      model: make()('default'),
      tools: { weather: tool({ inputSchema: weather.inputSchema }) },
      toolChoice: { type: 'tool', toolName: 'weather' },
      prompt: 'Weather in Oslo?',
    });
    const parts: Array<{ type: string; [k: string]: unknown }> = [];
    for await (const part of streamed.fullStream) parts.push(part);
    const types = parts.map((p) => p.type);
    const start = types.indexOf('tool-input-start');
    expect(start).toBeGreaterThanOrEqual(0);
    expect(types.indexOf('tool-input-delta')).toBeGreaterThan(start);
    expect(types.indexOf('tool-input-end')).toBeGreaterThan(types.indexOf('tool-input-delta'));
    expect(types.indexOf('tool-call')).toBeGreaterThan(types.indexOf('tool-input-end'));
    const deltas = parts.filter((p) => p.type === 'tool-input-delta').map((p) => p.delta as string);
    const calls = await streamed.toolCalls;
    expect(calls).toHaveLength(1);
    expect(JSON.parse(deltas.join(''))).toEqual(calls[0]!.input);
    expect(await streamed.finishReason).toBe('tool-calls');
    expect((await streamed.response).modelId).toBe('gpt-4.1');
  });
  it('Gemini answers the tool call and takes its result back by name (its calls carry no ids)', async () => {
    const provider = make();
    const result = await generateText({
      model: provider('gemini/gemini-2.5-flash'),
      tools: { weather },
      toolChoice: 'required',
      prompt: 'What is the weather in Rome?',
      stopWhen: stepCountIs(2),
      prepareStep: ({ stepNumber }) => (stepNumber === 1 ? { toolChoice: 'auto' } : undefined),
    });
    const [first, second] = result.steps;
    expect(first!.toolCalls.map((c) => c.toolName)).toEqual(['weather']);
    expect(first!.toolCalls[0]!.toolCallId.length).toBeGreaterThan(0);
    expect(first!.toolResults[0]!.output).toMatch(/: sunny for \d days$/);
    expect(second!.finishReason).toBe('stop');
    expect(second!.text.length).toBeGreaterThan(0);
    expect(mock.log().map((e) => [e.format, e.status])).toEqual([
      ['gemini', 200],
      ['gemini', 200],
    ]);
  });

  it('a tool call cut mid-arguments never reaches the AI SDK half-done', async () => {
    // Tool calls are atomic (the stitcher holds a call until its block ends), so the cut call
    // sends nothing; until the engine retries a cut before the commit, the call fails. What must
    // hold either way: no tool-call part, and no input delta, of a partial input.
    mock.setScenario({ models: { 'claude-sonnet-4-5': { faults: [{ fault: 'cut after=2', times: 1 }] } } });
    const errors: unknown[] = [];
    const streamed = streamText({
      model: make()('default'),
      tools: { weather: tool({ inputSchema: weather.inputSchema }) },
      toolChoice: 'required',
      prompt: 'Weather in Lima?',
      onError: ({ error }) => void errors.push(error),
    });
    const deltas: string[] = [];
    const calls: Array<{ input: unknown }> = [];
    for await (const part of streamed.fullStream) {
      if (part.type === 'tool-input-delta') deltas.push(part.delta);
      if (part.type === 'tool-call') calls.push(part);
    }
    // The cut happened: the mock sent part of the call and no more.
    expect(mock.log()[0]).toMatchObject({ model: 'claude-sonnet-4-5', tokensSent: 2 });
    if (calls.length === 0) {
      expect(deltas).toEqual([]);
      expect(APICallError.isInstance(errors[0])).toBe(true);
      expect(((errors[0] as APICallError).data as { kind: string }).kind).toBe('stream_interrupted');
    } else {
      expect(calls).toHaveLength(1);
      expect(weatherInput.parse(calls[0]!.input)).toEqual(calls[0]!.input);
      expect(JSON.parse(deltas.join(''))).toEqual(calls[0]!.input);
    }
  });
});

describe('structured output', () => {
  const schema = z.object({
    name: z.string(),
    count: z.number().int(),
    tags: z.array(z.string()),
    status: z.enum(['ok', 'degraded']),
  });

  it('generateObject with a schema, answered by Anthropic as structured output', async () => {
    const result = await generateObject({
      model: make()('default'),
      schema,
      prompt: 'Describe the service.',
    });
    expect(schema.parse(result.object)).toEqual(result.object);
    expect(result.object.status).toBe('ok');
    expect(result.response.modelId).toBe('claude-sonnet-4-5');
    expect(mock.log()).toHaveLength(1);
  });

  it("generateText with Output.object (AI SDK 7's form of generateObject)", async () => {
    const result = await generateText({
      model: make()('openai/gpt-4.1'),
      output: Output.object({ schema }),
      prompt: 'Describe the service.',
    });
    expect(schema.parse(result.output)).toEqual(result.output);
  });

  it('JSON without a schema, which Anthropic has no form for, goes to OpenAI without an Anthropic request', async () => {
    const result = await generateObject({
      model: make()('default'),
      output: 'no-schema',
      prompt: 'JSON, please.',
    });
    expect(typeof (result.object as { answer: unknown }).answer).toBe('string');
    expect(result.response.modelId).toBe('gpt-4.1');
    expect(mock.log().map((e) => e.model)).toEqual(['gpt-4.1']);
  });

  it('generateObject falls back to OpenAI and streamObject streams a valid object', async () => {
    mock.setScenario({ models: { 'claude-sonnet-4-5': { faults: ['529'] } } });
    const result = await generateObject({
      model: make()('default'),
      schema,
      prompt: 'Describe the service.',
    });
    expect(schema.parse(result.object)).toEqual(result.object);
    expect(result.response.modelId).toBe('gpt-4.1');

    const streamed = streamObject({
      model: make()('default'),
      schema: jsonSchema<{ name: string }>({
        type: 'object',
        properties: { name: { type: 'string' } },
        required: ['name'],
        additionalProperties: false,
      }),
      prompt: 'A name.',
    });
    let partials = 0;
    for await (const _ of streamed.partialObjectStream) partials++;
    expect(partials).toBeGreaterThan(0);
    expect(typeof (await streamed.object).name).toBe('string');
  });
});

describe('salvage', () => {
  it("a stream the caller chose to salvage finishes 'interrupted' with what arrived", async () => {
    mock.setScenario({ models: { 'gpt-4.1': { faults: ['cut after=5'] } } });
    outlast = createOutlast({
      providers: providersFor(mock),
      routes: { default: ['openai/gpt-4.1'] },
      ...FAST,
      stream: { onInterrupt: 'salvage' },
    });
    const streamed = streamText({ model: outlast('default'), prompt: 'Tell me about resilience.' });
    let text = '';
    for await (const delta of streamed.textStream) text += delta;
    expect(text.trim().split(/\s+/)).toHaveLength(5);
    expect(await streamed.finishReason).toBe('interrupted');
    expect(outlastMeta(await streamed.providerMetadata).outcome).toBe('salvaged');
  });
});
