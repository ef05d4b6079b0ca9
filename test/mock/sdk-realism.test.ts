/**
 * What the official SDKs make of the mock's realistic behaviours: tool arguments streamed in
 * pieces assemble into the input, the end-of-stream cuts surface as each SDK surfaces a real
 * one, and continuation behaviours reach the SDK's text unchanged.
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockProvider, startMockProvider } from '../../src/testing/index.ts';
import { TOOL } from './dialects.ts';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMockProvider({
    seed: 4,
    models: { claude: { toolPreamble: "I'll look that up.", answerTokens: 40 }, gpt: { answerTokens: 40 } },
  });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

const anthropic = (headers: Record<string, string> = {}) =>
  new Anthropic({ baseURL: mock.baseURLs.anthropic, apiKey: 'k', maxRetries: 0, defaultHeaders: headers });
const openai = (headers: Record<string, string> = {}) =>
  new OpenAI({ baseURL: mock.baseURLs.openai, apiKey: 'k', maxRetries: 0, defaultHeaders: headers });
const question = 'What is the weather in Paris?';
const anthropicTool: Anthropic.Tool = {
  name: TOOL.name,
  description: TOOL.description,
  input_schema: { ...TOOL.schema, type: 'object' },
};
const openaiTool: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: { name: TOOL.name, description: TOOL.description, parameters: TOOL.schema },
};

describe('@anthropic-ai/sdk', () => {
  const params = {
    model: 'claude',
    max_tokens: 1024,
    messages: [{ role: 'user' as const, content: question }],
    tools: [anthropicTool],
    tool_choice: { type: 'any' as const },
  };

  it('assembles a tool call from input_json_delta pieces, after Claude’s text block', async () => {
    const stream = anthropic().messages.stream(params);
    const pieces: string[] = [];
    stream.on('inputJson', (piece) => pieces.push(piece));
    const message = await stream.finalMessage();
    const want = mock.expectedAnswer({ format: 'anthropic', body: params });
    expect(message.content.map((b) => b.type)).toEqual(['text', 'tool_use']);
    expect((message.content[0] as Anthropic.TextBlock).text).toBe("I'll look that up.");
    const call = message.content[1] as Anthropic.ToolUseBlock;
    expect(call).toMatchObject({
      id: want.toolCalls[0]!.id,
      name: TOOL.name,
      input: want.toolCalls[0]!.input,
    });
    expect(pieces.filter((p) => p !== '').length).toBeGreaterThanOrEqual(4);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('sees a stream cut inside the tool arguments as an error, holding no parsed input', async () => {
    const stream = anthropic({ 'x-mock-fault': 'cut_in_tool args=2' }).messages.stream(params);
    await expect(stream.finalMessage()).rejects.toThrow();
    expect(stream.currentMessage?.stop_reason ?? null).toBeNull();
  });

  it('sees a stream that lost only message_stop as an error, with the stop reason already in hand', async () => {
    const body = { model: 'gpt', max_tokens: 1024, messages: [{ role: 'user' as const, content: question }] };
    const stream = anthropic({ 'x-mock-fault': 'cut_after_stop' }).messages.stream(body);
    await expect(stream.finalMessage()).rejects.toThrow();
    expect(stream.currentMessage?.stop_reason).toBe('end_turn');
    const block = stream.currentMessage?.content[0];
    const text = block?.type === 'text' ? block.text : undefined;
    expect(text).toBe(mock.expectedAnswer({ format: 'anthropic', body }).text);
  });

  it('gets the whole answer again when the prefill is ignored', async () => {
    const body = { model: 'gpt', max_tokens: 1024, messages: [{ role: 'user' as const, content: question }] };
    const full = mock.expectedAnswer({ format: 'anthropic', body }).text;
    const partial = full.split(' ').slice(0, 12).join(' ');
    const message = await anthropic({ 'x-mock-continuation': 'prefill_ignored' }).messages.create({
      ...body,
      messages: [...body.messages, { role: 'assistant', content: partial }],
    });
    expect((message.content[0] as Anthropic.TextBlock).text).toBe(full);
  });
});

describe('openai', () => {
  const params = {
    model: 'gpt',
    messages: [{ role: 'user' as const, content: question }],
    tools: [openaiTool],
    tool_choice: 'required' as const,
  };

  it('assembles a tool call from arguments fragments', async () => {
    const stream = openai().chat.completions.stream(params);
    let fragments = 0;
    stream.on('tool_calls.function.arguments.delta', () => {
      fragments++;
    });
    const completion = await stream.finalChatCompletion();
    const call = completion.choices[0]!.message.tool_calls![0]!;
    const want = mock.expectedAnswer({ format: 'openai', body: params }).toolCalls[0]!;
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual(want.input);
    expect(fragments).toBeGreaterThanOrEqual(4);
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('sees a stream that lost only [DONE] (finish chunk and usage sent) as an error after the finish reason', async () => {
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    const body = { model: 'gpt', messages: [{ role: 'user' as const, content: question }] };
    const failure = await (async () => {
      const stream = await openai({ 'x-mock-fault': 'cut_after_stop' }).chat.completions.create({
        ...body,
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const chunk of stream) chunks.push(chunk);
    })().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(chunks.some((c) => c.choices[0]?.finish_reason === 'stop')).toBe(true);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(40);
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe(
      mock.expectedAnswer({ format: 'openai', body }).text,
    );
  });

  it('gets the whole answer again when told to continue a full_restart model', async () => {
    const body = { model: 'gpt', messages: [{ role: 'user' as const, content: question }] };
    const full = mock.expectedAnswer({ format: 'openai', body }).text;
    const partial = full.split(' ').slice(0, 12).join(' ');
    const completion = await openai({ 'x-mock-continuation': 'full_restart' }).chat.completions.create({
      ...body,
      messages: [
        ...body.messages,
        { role: 'assistant', content: partial },
        { role: 'user', content: 'Your previous answer was cut off. Continue it exactly where it stopped.' },
      ],
    });
    expect(completion.choices[0]!.message.content).toBe(full);
  });
});

describe('@google/genai', () => {
  it('gets a function call whole, in one chunk, as Gemini sends it', async () => {
    const ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: mock.baseURLs.gemini } });
    const config = {
      tools: [
        {
          functionDeclarations: [
            { name: TOOL.name, description: TOOL.description, parametersJsonSchema: TOOL.schema },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY' as never } },
    };
    const calls: unknown[] = [];
    let text = '';
    for await (const chunk of await ai.models.generateContentStream({
      model: 'claude',
      contents: question,
      config,
    })) {
      calls.push(...(chunk.functionCalls ?? []));
      text += chunk.candidates?.[0]?.content?.parts?.map((p) => p.text ?? '').join('') ?? '';
    }
    expect(text).toBe("I'll look that up.");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ name: TOOL.name, args: { city: expect.any(String) } });
  });
});
