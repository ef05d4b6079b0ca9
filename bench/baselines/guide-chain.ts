/**
 * The guide's "Combining Retries with Fallbacks" loop (/work/shared/reference/resilience-guide.txt)
 * over three providers, each called with its official SDK and no retries of its own
 * (`@anthropic-ai/sdk` and `openai` with maxRetries 0, `@google/genai` without retryOptions):
 * - the models in order, RETRIES_PER_MODEL = 2 attempts on each;
 * - a rate-limit error (429) waits 2^attempt s + U(0, 1) s, then the next attempt;
 * - a status error 500/502/503/529 waits 3 s, then the next attempt;
 * - anything else (another status, a connection error or timeout, a broken stream, a
 *   malformed event, an in-stream error event) is raised at once, as the guide's `raise`;
 * - after the last model: "All models and retries exhausted".
 * A stream is collected to its end, as the guide's callers do; whatever the SDK returns
 * without raising is the answer (the soak then checks it byte for byte).
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { sleep } from './anthropic-stream.ts';

export interface ChainAsk {
  system: string | undefined;
  turns: Array<{ role: 'user' | 'assistant'; content: string }>;
  tool: { name: string; description: string; schema: Record<string, unknown> } | undefined;
  maxTokens: number;
  stream: boolean;
}

export interface ChainAnswer {
  text: string;
  toolCalls: Array<{ name: string; input: unknown }>;
  /** Canonical: end_turn, tool_use, max_tokens. */
  stopReason: string | undefined;
  /** The model whose answer this is. */
  model: string;
  /** The provider's request id for the answering request. */
  requestId?: string | undefined;
}

export interface ChainAttempt {
  model: string;
  outcome: 'success' | 'error';
  status?: number;
  error?: string;
  requestId?: string;
}

export interface ChainResult {
  answer?: ChainAnswer;
  /** The error the loop raised (or "All models and retries exhausted"). */
  error?: { message: string; status?: number; typed: boolean };
  attempts: ChainAttempt[];
}

export interface ChainTarget {
  format: 'anthropic' | 'openai' | 'gemini';
  model: string;
}

export interface GuideChainOptions {
  mockUrl: string;
  targets: readonly ChainTarget[];
  /** Each SDK's per-request timeout, ms (the guide sets none; an SDK's default is minutes). */
  timeoutMs: number;
  retriesPerModel?: number;
  random?: () => number;
}

/** An SDK error with an HTTP status: what the guide's `except` clauses look at. */
function statusOf(err: unknown): number | undefined {
  if (err instanceof Anthropic.APIError || err instanceof OpenAI.APIError) {
    return typeof err.status === 'number' ? err.status : undefined;
  }
  const status = (err as { status?: unknown } | undefined)?.status;
  return err instanceof Error && err.name === 'ApiError' && typeof status === 'number' ? status : undefined;
}

function requestIdOf(err: unknown): string | undefined {
  if (err instanceof Anthropic.APIError) return err.requestID ?? undefined;
  if (err instanceof OpenAI.APIError) return err.requestID ?? undefined;
  return undefined;
}

function message(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

const parseArgs = (raw: string): unknown => {
  try {
    return JSON.parse(raw === '' ? '{}' : raw);
  } catch {
    return undefined;
  }
};

export function createGuideChain(
  options: GuideChainOptions,
): (ask: ChainAsk, signal: AbortSignal) => Promise<ChainResult> {
  const anthropic = new Anthropic({
    baseURL: options.mockUrl,
    apiKey: 'bench-key',
    maxRetries: 0,
    timeout: options.timeoutMs,
  });
  const openai = new OpenAI({
    baseURL: `${options.mockUrl}/v1`,
    apiKey: 'bench-key',
    maxRetries: 0,
    timeout: options.timeoutMs,
  });
  const gemini = new GoogleGenAI({
    apiKey: 'bench-key',
    httpOptions: { baseUrl: options.mockUrl, timeout: options.timeoutMs },
  });
  const retriesPerModel = options.retriesPerModel ?? 2;
  const random = options.random ?? Math.random;

  const callAnthropic = async (model: string, ask: ChainAsk, signal: AbortSignal): Promise<ChainAnswer> => {
    const params = {
      model,
      max_tokens: ask.maxTokens,
      ...(ask.system ? { system: ask.system } : {}),
      messages: ask.turns,
      ...(ask.tool
        ? {
            tools: [
              {
                name: ask.tool.name,
                description: ask.tool.description,
                input_schema: ask.tool.schema as Anthropic.Tool.InputSchema,
              },
            ],
            tool_choice: { type: 'any' as const },
          }
        : {}),
    };
    if (!ask.stream) {
      const { data: m, request_id } = await anthropic.messages.create(params, { signal }).withResponse();
      const text = m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      const toolCalls = m.content.flatMap((b) =>
        b.type === 'tool_use' ? [{ name: b.name, input: b.input }] : [],
      );
      return {
        text,
        toolCalls,
        stopReason: m.stop_reason ?? undefined,
        model,
        requestId: request_id ?? undefined,
      };
    }
    const { data: events, request_id } = await anthropic.messages
      .create({ ...params, stream: true }, { signal })
      .withResponse();
    const blocks = new Map<number, { type: string; name: string; text: string }>();
    let stopReason: string | undefined;
    for await (const e of events) {
      if (e.type === 'content_block_start')
        blocks.set(e.index, {
          type: e.content_block.type,
          name: 'name' in e.content_block ? e.content_block.name : '',
          text: '',
        });
      else if (e.type === 'content_block_delta') {
        const b = blocks.get(e.index);
        if (b && e.delta.type === 'text_delta') b.text += e.delta.text;
        else if (b && e.delta.type === 'input_json_delta') b.text += e.delta.partial_json;
      } else if (e.type === 'message_delta') stopReason = e.delta.stop_reason ?? stopReason;
    }
    const ordered = [...blocks.entries()].sort((a, b) => a[0] - b[0]).map((x) => x[1]);
    return {
      text: ordered
        .filter((b) => b.type === 'text')
        .map((b) => b.text)
        .join(''),
      toolCalls: ordered
        .filter((b) => b.type === 'tool_use')
        .map((b) => ({ name: b.name, input: parseArgs(b.text) })),
      stopReason,
      model,
      requestId: request_id ?? undefined,
    };
  };

  const openaiStop = (r: string | null | undefined) =>
    r === 'stop'
      ? 'end_turn'
      : r === 'tool_calls'
        ? 'tool_use'
        : r === 'length'
          ? 'max_tokens'
          : (r ?? undefined);

  const callOpenai = async (model: string, ask: ChainAsk, signal: AbortSignal): Promise<ChainAnswer> => {
    const params = {
      model,
      max_tokens: ask.maxTokens,
      messages: [...(ask.system ? [{ role: 'system' as const, content: ask.system }] : []), ...ask.turns],
      ...(ask.tool
        ? {
            tools: [
              {
                type: 'function' as const,
                function: {
                  name: ask.tool.name,
                  description: ask.tool.description,
                  parameters: ask.tool.schema,
                },
              },
            ],
            tool_choice: 'required' as const,
          }
        : {}),
    };
    if (!ask.stream) {
      const { data: r, request_id } = await openai.chat.completions.create(params, { signal }).withResponse();
      const choice = r.choices[0];
      return {
        text: choice?.message.content ?? '',
        toolCalls: (choice?.message.tool_calls ?? []).flatMap((c) =>
          c.type === 'function' ? [{ name: c.function.name, input: parseArgs(c.function.arguments) }] : [],
        ),
        stopReason: openaiStop(choice?.finish_reason),
        model,
        requestId: request_id ?? undefined,
      };
    }
    const { data: chunks, request_id } = await openai.chat.completions
      .create({ ...params, stream: true, stream_options: { include_usage: true } }, { signal })
      .withResponse();
    let text = '';
    let stopReason: string | undefined;
    const calls = new Map<number, { name: string; args: string }>();
    for await (const chunk of chunks) {
      const choice = chunk.choices[0];
      if (!choice) continue;
      text += choice.delta.content ?? '';
      for (const t of choice.delta.tool_calls ?? []) {
        const c = calls.get(t.index) ?? { name: '', args: '' };
        c.name += t.function?.name ?? '';
        c.args += t.function?.arguments ?? '';
        calls.set(t.index, c);
      }
      stopReason = openaiStop(choice.finish_reason) ?? stopReason;
    }
    return {
      text,
      toolCalls: [...calls.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([, c]) => ({ name: c.name, input: parseArgs(c.args) })),
      stopReason,
      model,
      requestId: request_id ?? undefined,
    };
  };

  const callGemini = async (model: string, ask: ChainAsk, signal: AbortSignal): Promise<ChainAnswer> => {
    const params = {
      model,
      contents: ask.turns.map((t) => ({
        role: t.role === 'assistant' ? 'model' : 'user',
        parts: [{ text: t.content }],
      })),
      config: {
        abortSignal: signal,
        maxOutputTokens: ask.maxTokens,
        ...(ask.system ? { systemInstruction: ask.system } : {}),
        ...(ask.tool
          ? {
              tools: [
                {
                  functionDeclarations: [
                    {
                      name: ask.tool.name,
                      description: ask.tool.description,
                      parametersJsonSchema: ask.tool.schema,
                    },
                  ],
                },
              ],
              toolConfig: { functionCallingConfig: { mode: 'ANY' as never } },
            }
          : {}),
      },
    };
    let text = '';
    const toolCalls: ChainAnswer['toolCalls'] = [];
    let finish: string | undefined;
    const take = (r: {
      candidates?: Array<{
        content?: {
          parts?: Array<{
            text?: string;
            thought?: boolean;
            functionCall?: { name?: string; args?: unknown };
          }>;
        };
        finishReason?: string;
      }>;
    }) => {
      const cand = r.candidates?.[0];
      for (const p of cand?.content?.parts ?? []) {
        if (p.functionCall)
          toolCalls.push({ name: p.functionCall.name ?? '', input: p.functionCall.args ?? {} });
        else if (typeof p.text === 'string' && !p.thought) text += p.text;
      }
      finish = cand?.finishReason ?? finish;
    };
    let requestId: string | undefined;
    const idOf = (r: { sdkHttpResponse?: { headers?: Record<string, string> } }) =>
      r.sdkHttpResponse?.headers?.['x-request-id'];
    if (!ask.stream) {
      const r = await gemini.models.generateContent(params);
      requestId = idOf(r);
      take(r);
    } else
      for await (const chunk of await gemini.models.generateContentStream(params)) {
        requestId ??= idOf(chunk);
        take(chunk);
      }
    const stopReason =
      finish === 'STOP'
        ? toolCalls.length > 0
          ? 'tool_use'
          : 'end_turn'
        : finish === 'MAX_TOKENS'
          ? 'max_tokens'
          : finish;
    return { text, toolCalls, stopReason, model, requestId };
  };

  const call = (t: ChainTarget, ask: ChainAsk, signal: AbortSignal) =>
    t.format === 'anthropic'
      ? callAnthropic(t.model, ask, signal)
      : t.format === 'openai'
        ? callOpenai(t.model, ask, signal)
        : callGemini(t.model, ask, signal);

  return async (ask, signal) => {
    const attempts: ChainAttempt[] = [];
    for (const target of options.targets) {
      for (let attempt = 0; attempt < retriesPerModel; attempt++) {
        try {
          const answer = await call(target, ask, signal);
          attempts.push({
            model: target.model,
            outcome: 'success',
            ...(answer.requestId ? { requestId: answer.requestId } : {}),
          });
          return { answer, attempts };
        } catch (err) {
          const status = statusOf(err);
          const requestId = requestIdOf(err);
          attempts.push({
            model: target.model,
            outcome: 'error',
            ...(status === undefined ? {} : { status }),
            error: message(err),
            ...(requestId ? { requestId } : {}),
          });
          if (signal.aborted)
            return { error: { message: `harness deadline: ${message(err)}`, typed: false }, attempts };
          try {
            if (status === 429) await sleep((2 ** attempt + random()) * 1000, signal);
            else if (status !== undefined && [500, 502, 503, 529].includes(status)) await sleep(3000, signal);
            else
              return {
                error: {
                  message: message(err),
                  ...(status === undefined ? {} : { status }),
                  typed: status !== undefined,
                },
                attempts,
              };
          } catch {
            return {
              error: { message: `harness deadline while waiting to retry: ${message(err)}`, typed: false },
              attempts,
            };
          }
        }
      }
    }
    return { error: { message: 'All models and retries exhausted', typed: true }, attempts };
  };
}
