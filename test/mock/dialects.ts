/**
 * One small client per dialect for the mock's wire tests: builds a request from plain turns,
 * sends it over undici, and reads back what arrived (text, tool call pieces, the stop reason,
 * whether the closing events came, whether the socket was cut), streamed or not.
 */
import { request } from 'undici';

export type Dialect = 'anthropic' | 'openai' | 'gemini';
export const DIALECTS: readonly Dialect[] = ['anthropic', 'openai', 'gemini'];

export interface Turn {
  role: 'user' | 'assistant';
  text: string;
}

export interface CallOptions {
  stream: boolean;
  headers?: Record<string, string>;
  /** Offer one tool and force it. */
  tool?: boolean;
  maxTokens?: number;
}

export interface Received {
  status: number;
  /** The text of every text part, joined. */
  text: string;
  /** The tool call's argument pieces as they arrived (Gemini: the whole call, once). */
  toolPieces: string[];
  toolName: string | undefined;
  /** The provider's stop reason, if it arrived. */
  stop: string | undefined;
  /** Anthropic `message_stop`, OpenAI `[DONE]`; Gemini has none (a finishReason and a clean end). */
  terminal: boolean;
  /** The body ended in a socket error (a cut), not a clean end. */
  cut: boolean;
  /** The error body of a non-200. */
  error: unknown;
  raw: string;
}

export const TOOL = {
  name: 'get_weather',
  description: 'Weather for a city',
  schema: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer' }, detailed: { type: 'boolean' } },
    required: ['city'],
  },
};

export function pathOf(dialect: Dialect, model: string, stream: boolean): string {
  if (dialect === 'anthropic') return '/v1/messages';
  if (dialect === 'openai') return '/v1/chat/completions';
  return `/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
}

export function bodyOf(
  dialect: Dialect,
  model: string,
  turns: readonly Turn[],
  options: CallOptions,
): object {
  const maxTokens = options.maxTokens ?? 4096;
  if (dialect === 'anthropic')
    return {
      model,
      max_tokens: maxTokens,
      messages: turns.map((t) => ({ role: t.role, content: t.text })),
      ...(options.stream ? { stream: true } : {}),
      ...(options.tool
        ? {
            tools: [{ name: TOOL.name, description: TOOL.description, input_schema: TOOL.schema }],
            tool_choice: { type: 'any' },
          }
        : {}),
    };
  if (dialect === 'openai')
    return {
      model,
      max_tokens: maxTokens,
      messages: turns.map((t) => ({ role: t.role, content: t.text })),
      ...(options.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
      ...(options.tool
        ? {
            tools: [
              {
                type: 'function',
                function: { name: TOOL.name, description: TOOL.description, parameters: TOOL.schema },
              },
            ],
            tool_choice: 'required',
          }
        : {}),
    };
  return {
    contents: turns.map((t) => ({
      role: t.role === 'assistant' ? 'model' : 'user',
      parts: [{ text: t.text }],
    })),
    generationConfig: { maxOutputTokens: maxTokens },
    ...(options.tool
      ? {
          tools: [
            {
              functionDeclarations: [
                { name: TOOL.name, description: TOOL.description, parameters: TOOL.schema },
              ],
            },
          ],
          toolConfig: { functionCallingConfig: { mode: 'ANY' } },
        }
      : {}),
  };
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function readFrames(dialect: Dialect, raw: string, into: Received): void {
  for (const frame of raw.split('\n\n')) {
    const data = frame
      .split('\n')
      .find((line) => line.startsWith('data: '))
      ?.slice(6);
    if (data === undefined) continue;
    if (data === '[DONE]') {
      into.terminal = true;
      continue;
    }
    let event: Json;
    try {
      event = obj(JSON.parse(data));
    } catch {
      continue;
    }
    if (dialect === 'anthropic') {
      const delta = obj(event.delta);
      if (event.type === 'content_block_start' && obj(event.content_block).type === 'tool_use')
        into.toolName = String(obj(event.content_block).name);
      if (delta.type === 'text_delta') into.text += String(delta.text);
      if (delta.type === 'input_json_delta') into.toolPieces.push(String(delta.partial_json));
      if (event.type === 'message_delta' && typeof delta.stop_reason === 'string')
        into.stop = delta.stop_reason;
      if (event.type === 'message_stop') into.terminal = true;
    } else if (dialect === 'openai') {
      for (const choice of arr(event.choices)) {
        const delta = obj(obj(choice).delta);
        if (typeof delta.content === 'string') into.text += delta.content;
        for (const call of arr(delta.tool_calls)) {
          const fn = obj(obj(call).function);
          if (typeof fn.name === 'string') into.toolName = fn.name;
          if (typeof fn.arguments === 'string' && fn.arguments !== '') into.toolPieces.push(fn.arguments);
        }
        if (typeof obj(choice).finish_reason === 'string') into.stop = String(obj(choice).finish_reason);
      }
    } else {
      readGeminiResponse(event, into);
    }
  }
}

function readGeminiResponse(response: Json, into: Received): void {
  const candidate = obj(arr(response.candidates)[0]);
  for (const part of arr(obj(candidate.content).parts)) {
    const p = obj(part);
    if (typeof p.text === 'string') into.text += p.text;
    if (p.functionCall) {
      into.toolName = String(obj(p.functionCall).name);
      into.toolPieces.push(JSON.stringify(obj(p.functionCall).args));
    }
  }
  if (typeof candidate.finishReason === 'string') into.stop = candidate.finishReason;
}

function readWhole(dialect: Dialect, body: Json, into: Received): void {
  if (dialect === 'anthropic') {
    for (const block of arr(body.content)) {
      const b = obj(block);
      if (b.type === 'text') into.text += String(b.text);
      if (b.type === 'tool_use') {
        into.toolName = String(b.name);
        into.toolPieces.push(JSON.stringify(b.input));
      }
    }
    if (typeof body.stop_reason === 'string') into.stop = body.stop_reason;
  } else if (dialect === 'openai') {
    const choice = obj(arr(body.choices)[0]);
    const message = obj(choice.message);
    if (typeof message.content === 'string') into.text += message.content;
    for (const call of arr(message.tool_calls)) {
      into.toolName = String(obj(obj(call).function).name);
      into.toolPieces.push(String(obj(obj(call).function).arguments));
    }
    if (typeof choice.finish_reason === 'string') into.stop = choice.finish_reason;
  } else {
    readGeminiResponse(body, into);
  }
}

export async function call(
  baseUrl: string,
  dialect: Dialect,
  model: string,
  turns: readonly Turn[],
  options: CallOptions,
): Promise<Received> {
  const res = await request(`${baseUrl}${pathOf(dialect, model, options.stream)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify(bodyOf(dialect, model, turns, options)),
  });
  const received: Received = {
    status: res.statusCode,
    text: '',
    toolPieces: [],
    toolName: undefined,
    stop: undefined,
    terminal: false,
    cut: false,
    error: undefined,
    raw: '',
  };
  try {
    for await (const chunk of res.body) received.raw += chunk;
  } catch {
    received.cut = true;
  }
  if (res.statusCode !== 200) {
    received.error = JSON.parse(received.raw);
    return received;
  }
  if (options.stream) readFrames(dialect, received.raw, received);
  else if (!received.cut) readWhole(dialect, obj(JSON.parse(received.raw)), received);
  return received;
}
