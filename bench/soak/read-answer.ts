/**
 * Reads one HTTP answer in the Anthropic or OpenAI dialect, streamed or not, the strict way:
 * every event parsed, the terminal events required (`message_stop`; a finish reason and
 * `[DONE]`), an error recognised only in the dialect's own shape (an error status with its
 * error body, or the in-band error event). Anything else (a body cut short, a stream that
 * ends without its terminal event or an error, JSON that does not parse) is `broken`: what
 * an SDK might raise as a connection error, or worse, end quietly as if the answer were whole.
 */
import { createParser } from 'eventsource-parser';
import type { Dialect } from './requests.ts';

export interface ReceivedToolCall {
  name: string;
  /** The arguments as they came (a JSON string). */
  raw: string;
  /** Parsed, or undefined when `raw` does not parse. */
  input: unknown;
}

export interface Received {
  outcome: 'answer' | 'typed_error' | 'broken';
  status: number;
  /** `x-outlast-model`, `x-outlast-attempts`, `x-outlast-request-id`, and the dialect's request id. */
  headers: Record<string, string>;
  text: string;
  toolCalls: ReceivedToolCall[];
  /** In the dialect's words: `end_turn` / `tool_use`, `stop` / `tool_calls`. */
  stopReason: string | undefined;
  /** The dialect's error type (`overloaded_error`, `rate_limit_exceeded`…) and message. */
  error?: { type: string; message: string; inStream: boolean };
  /** For `broken`: what was wrong. */
  problem?: string;
}

const KEPT_HEADERS = [
  'x-outlast-model',
  'x-outlast-attempts',
  'x-outlast-request-id',
  'request-id',
  'x-request-id',
];

function keptHeaders(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const v = h.get(name);
    if (v !== null) out[name] = v;
  }
  return out;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function toolCall(name: string, raw: string): ReceivedToolCall {
  const parsed = parseJson(raw === '' ? '{}' : raw);
  return { name, raw, input: parsed.ok ? parsed.value : undefined };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The dialect's error shape: Anthropic `{type:'error', error:{type,message}}`, OpenAI `{error:{message,type|code}}`. */
export function dialectError(dialect: Dialect, body: unknown): { type: string; message: string } | undefined {
  if (!isObj(body) || !isObj(body.error)) return undefined;
  const e = body.error;
  const message = str(e.message);
  if (message === undefined) return undefined;
  if (dialect === 'anthropic') {
    const type = str(e.type);
    return body.type === 'error' && type ? { type, message } : undefined;
  }
  const type = str(e.code) ?? str(e.type);
  return type ? { type, message } : undefined;
}

function base(res: Response): Received {
  return {
    outcome: 'broken',
    status: res.status,
    headers: keptHeaders(res.headers),
    text: '',
    toolCalls: [],
    stopReason: undefined,
  };
}

async function readText(res: Response): Promise<{ text: string } | { failed: string }> {
  try {
    return { text: await res.text() };
  } catch (err) {
    return { failed: `body read failed: ${describe(err)}` };
  }
}

export function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? ` (${cause.message})` : '';
    return `${err.name}: ${err.message}${causeText}`.slice(0, 200);
  }
  return String(err).slice(0, 200);
}

/** A non-streamed answer, or any answer with an error status. */
async function readWhole(dialect: Dialect, res: Response, out: Received): Promise<Received> {
  const body = await readText(res);
  if ('failed' in body) return { ...out, problem: body.failed };
  const parsed = parseJson(body.text);
  if (!parsed.ok)
    return { ...out, problem: `body is not JSON (${body.text.length} chars): ${body.text.slice(0, 80)}` };
  if (res.status >= 400) {
    const e = dialectError(dialect, parsed.value);
    return e
      ? { ...out, outcome: 'typed_error', error: { ...e, inStream: false } }
      : {
          ...out,
          problem: `status ${res.status} without the dialect's error body: ${body.text.slice(0, 120)}`,
        };
  }
  const v = parsed.value;
  if (!isObj(v)) return { ...out, problem: 'answer is not an object' };
  if (dialect === 'anthropic') {
    if (v.type !== 'message' || !Array.isArray(v.content))
      return { ...out, problem: `not a Message: ${body.text.slice(0, 120)}` };
    for (const block of v.content as unknown[]) {
      if (!isObj(block)) continue;
      if (block.type === 'text') out.text += str(block.text) ?? '';
      else if (block.type === 'tool_use')
        out.toolCalls.push({
          name: str(block.name) ?? '',
          raw: JSON.stringify(block.input),
          input: block.input,
        });
    }
    return { ...out, outcome: 'answer', stopReason: str(v.stop_reason) };
  }
  const choice = Array.isArray(v.choices) && isObj(v.choices[0]) ? v.choices[0] : undefined;
  const message = choice && isObj(choice.message) ? choice.message : undefined;
  if (!choice || !message) return { ...out, problem: `not a ChatCompletion: ${body.text.slice(0, 120)}` };
  out.text = str(message.content) ?? '';
  for (const call of Array.isArray(message.tool_calls) ? (message.tool_calls as unknown[]) : []) {
    if (!isObj(call) || !isObj(call.function)) continue;
    out.toolCalls.push(toolCall(str(call.function.name) ?? '', str(call.function.arguments) ?? ''));
  }
  return { ...out, outcome: 'answer', stopReason: str(choice.finish_reason) };
}

interface StreamState {
  events: Array<{ event: string | undefined; data: string }>;
}

async function collectEvents(res: Response): Promise<StreamState & { readFailure?: string }> {
  const state: StreamState = { events: [] };
  const parser = createParser({ onEvent: (e) => state.events.push({ event: e.event, data: e.data }) });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>)
      parser.feed(decoder.decode(chunk, { stream: true }));
    parser.feed(decoder.decode());
    return state;
  } catch (err) {
    return { ...state, readFailure: describe(err) };
  }
}

function readAnthropicEvents(state: StreamState, out: Received): Received {
  const blocks = new Map<number, { type: string; name: string; text: string }>();
  let started = false;
  let stopped = false;
  for (const e of state.events) {
    const parsed = parseJson(e.data);
    if (!parsed.ok || !isObj(parsed.value))
      return {
        ...out,
        ...assembled(blocks, out),
        problem: `event ${e.event} does not parse: ${e.data.slice(0, 80)}`,
      };
    const v = parsed.value;
    const type = str(v.type) ?? e.event;
    if (type === 'error') {
      const err = dialectError('anthropic', v);
      return err
        ? { ...out, ...assembled(blocks, out), outcome: 'typed_error', error: { ...err, inStream: true } }
        : {
            ...out,
            ...assembled(blocks, out),
            problem: `error event not in the dialect's shape: ${e.data.slice(0, 120)}`,
          };
    }
    if (type === 'message_start') started = true;
    else if (type === 'content_block_start' && isObj(v.content_block)) {
      const b = v.content_block;
      blocks.set(Number(v.index), {
        type: str(b.type) ?? '',
        name: str(b.name) ?? '',
        text: str(b.text) ?? '',
      });
    } else if (type === 'content_block_delta' && isObj(v.delta)) {
      const block = blocks.get(Number(v.index));
      if (!block)
        return { ...out, ...assembled(blocks, out), problem: `delta for block ${v.index} before its start` };
      block.text += str(v.delta.text) ?? str(v.delta.partial_json) ?? '';
    } else if (type === 'message_delta' && isObj(v.delta)) {
      out.stopReason = str(v.delta.stop_reason) ?? out.stopReason;
    } else if (type === 'message_stop') stopped = true;
  }
  const done = { ...out, ...assembled(blocks, out) };
  if (!started) return { ...done, problem: 'no message_start' };
  if (!stopped)
    return { ...done, problem: `stream ended without message_stop (${state.events.length} events)` };
  if (!done.stopReason) return { ...done, problem: 'no stop_reason' };
  return { ...done, outcome: 'answer' };
}

function assembled(
  blocks: Map<number, { type: string; name: string; text: string }>,
  out: Received,
): Pick<Received, 'text' | 'toolCalls' | 'stopReason'> {
  const ordered = [...blocks.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
  return {
    text: ordered
      .filter((b) => b.type === 'text')
      .map((b) => b.text)
      .join(''),
    toolCalls: ordered.filter((b) => b.type === 'tool_use').map((b) => toolCall(b.name, b.text)),
    stopReason: out.stopReason,
  };
}

function readOpenaiEvents(state: StreamState, out: Received): Received {
  const calls = new Map<number, { name: string; args: string }>();
  let text = '';
  let finish: string | undefined;
  let doneSeen = false;
  const current = (): Received => ({
    ...out,
    text,
    toolCalls: [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => toolCall(c.name, c.args)),
    stopReason: finish,
  });
  for (const e of state.events) {
    if (e.data === '[DONE]') {
      doneSeen = true;
      continue;
    }
    const parsed = parseJson(e.data);
    if (!parsed.ok || !isObj(parsed.value))
      return { ...current(), problem: `chunk does not parse: ${e.data.slice(0, 80)}` };
    const v = parsed.value;
    if (v.error !== undefined) {
      const err = dialectError('openai', v);
      return err
        ? { ...current(), outcome: 'typed_error', error: { ...err, inStream: true } }
        : { ...current(), problem: `error chunk not in the dialect's shape: ${e.data.slice(0, 120)}` };
    }
    const choice = Array.isArray(v.choices) && isObj(v.choices[0]) ? v.choices[0] : undefined;
    if (!choice) continue;
    const delta = isObj(choice.delta) ? choice.delta : {};
    text += str(delta.content) ?? '';
    for (const raw of Array.isArray(delta.tool_calls) ? (delta.tool_calls as unknown[]) : []) {
      if (!isObj(raw)) continue;
      const index = Number(raw.index ?? 0);
      const call = calls.get(index) ?? { name: '', args: '' };
      const fn = isObj(raw.function) ? raw.function : {};
      call.name += str(fn.name) ?? '';
      call.args += str(fn.arguments) ?? '';
      calls.set(index, call);
    }
    finish = str(choice.finish_reason) ?? finish;
  }
  const done = current();
  if (!finish)
    return { ...done, problem: `stream ended without a finish_reason (${state.events.length} events)` };
  if (!doneSeen) return { ...done, problem: 'stream ended without [DONE]' };
  return { ...done, outcome: 'answer' };
}

/** Reads `res` (already past its headers) as `dialect` says; `stream` is what the request asked for. */
export async function readAnswer(dialect: Dialect, stream: boolean, res: Response): Promise<Received> {
  const out = base(res);
  const sse = (res.headers.get('content-type') ?? '').includes('text/event-stream');
  if (!stream || res.status >= 400 || !sse) {
    if (stream && res.status < 400)
      return {
        ...out,
        problem: `streamed request answered ${res.status} ${res.headers.get('content-type')}`,
      };
    return readWhole(dialect, res, out);
  }
  const state = await collectEvents(res);
  const read = dialect === 'anthropic' ? readAnthropicEvents(state, out) : readOpenaiEvents(state, out);
  if (state.readFailure && read.outcome === 'answer')
    return { ...read, outcome: 'broken', problem: state.readFailure };
  if (state.readFailure && read.outcome === 'broken')
    return { ...read, problem: `${state.readFailure}; ${read.problem}` };
  return read;
}
