/**
 * What the mock answers to a canonical request: fresh text, the rest of its own answer after
 * an assistant prefill, or an overlapping continuation after a "continue" turn; bounded by
 * max tokens and stop sequences. Pure: the same request, model and seed give the same plan.
 */
import type {
  CanonicalRequest,
  ContentBlock,
  JsonObject,
  JsonValue,
  Message,
  StopReason,
} from '../wire/canonical/index.ts';
import type { ResolvedModel } from './fault-picker.ts';
import { hashId } from './hash.ts';
import { structuredTokens } from './structured-answer.ts';
import { generateTokens, naturalLength, tokenStartAtOrBefore, tokensAfter } from './text-generator.ts';

export type ContinuationKind = 'prefill' | 'continue';

export type PlannedBlock =
  | { type: 'text'; tokens: string[] }
  | { type: 'thinking'; tokens: string[]; signature: string }
  | { type: 'tool_use'; id: string; name: string; input: JsonObject; chunks: string[] };

export interface AnswerPlan {
  kind: 'answer';
  continuation: ContinuationKind | undefined;
  /** The partial answer was a prefix of the mock's own answer (so the rest reassembles exactly). */
  matched: boolean;
  blocks: PlannedBlock[];
  stopReason: StopReason;
  stopSequence: string | null;
  inputTokens: number;
  outputTokens: number;
}

export interface PlanRejection {
  kind: 'reject';
  variant: 'prefill_rejected' | 'context_length';
  inputTokens: number;
  contextWindow?: number;
}

/** How much of the partial answer a no-prefill continuation repeats (then aligned to a token start). */
export const CONTINUE_OVERLAP_CHARS = 24;
const CONTINUE_TEXT = /continu|go on|keep going|carry on|left off|where (you|it) (stopped|was cut)/i;
const THINKING_TOKENS = 16;

function textOf(message: Message | undefined): string {
  if (!message) return '';
  let text = '';
  for (const block of message.content) if (block.type === 'text') text += block.text;
  return text;
}

function blockDigest(block: ContentBlock): string {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'image':
      return '[image]';
    case 'tool_use':
      return `[tool_use ${block.name} ${JSON.stringify(block.input)}]`;
    case 'tool_result':
      return `[tool_result ${block.content.map((b) => (b.type === 'text' ? b.text : '[image]')).join('')}]`;
    case 'thinking':
    case 'redacted_thinking':
      // Thinking is dropped from continuations: it must not change the answer's key.
      return '';
  }
}

function conversationKey(request: CanonicalRequest, messages: readonly Message[]): string {
  const system = (request.system ?? []).map((b) => b.text).join('\n');
  const turns = messages.map((m) => `${m.role}:${m.content.map(blockDigest).join('')}`);
  return `${system}\u0001${turns.join('\u0001')}`;
}

/** About four characters a token plus a little per message, as the engine estimates it. */
export function estimateInputTokens(request: CanonicalRequest): number {
  let chars = 0;
  for (const block of request.system ?? []) chars += block.text.length;
  for (const message of request.messages) {
    for (const block of message.content) chars += block.type === 'image' ? 6400 : blockDigest(block).length;
  }
  for (const tool of request.tools ?? []) chars += tool.name.length + JSON.stringify(tool.inputSchema).length;
  return Math.max(1, Math.ceil(chars / 4) + 3 * request.messages.length);
}

function sampleValue(schema: JsonValue | undefined, key: string): JsonValue {
  const type =
    typeof schema === 'object' && schema !== null && !Array.isArray(schema) ? schema.type : undefined;
  switch (type) {
    case 'integer':
    case 'number':
      return 1 + (key.length % 9);
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return generateTokens(key, 2).text.replace(/\.$/, '');
  }
}

function toolInput(schema: JsonObject, key: string): JsonObject {
  const props = schema.properties;
  const input: JsonObject = {};
  if (typeof props !== 'object' || props === null || Array.isArray(props)) return input;
  for (const [name, sub] of Object.entries(props)) input[name] = sampleValue(sub, `${key}\u0000${name}`);
  return input;
}

function chunk(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** Cuts tokens at the earliest stop sequence; returns the sequence that matched. */
function applyStopSequences(tokens: string[], stops: readonly string[] | undefined): string | undefined {
  if (!stops || stops.length === 0) return undefined;
  const text = tokens.join('');
  let at = -1;
  let which: string | undefined;
  for (const stop of stops) {
    if (stop === '') continue;
    const i = text.indexOf(stop);
    if (i >= 0 && (at < 0 || i < at)) {
      at = i;
      which = stop;
    }
  }
  if (which === undefined) return undefined;
  let offset = 0;
  let keep = 0;
  for (; keep < tokens.length; keep++) {
    const token = tokens[keep]!;
    if (offset + token.length > at) {
      const head = token.slice(0, at - offset);
      tokens.length = keep;
      if (head) tokens.push(head);
      return which;
    }
    offset += token.length;
  }
  return which;
}

export interface PlanOptions {
  model: string;
  config: ResolvedModel;
  seed: number;
}

export function planAnswer(request: CanonicalRequest, options: PlanOptions): AnswerPlan | PlanRejection {
  const { config, seed } = options;
  const inputTokens = estimateInputTokens(request);
  if (config.contextWindow !== undefined && inputTokens > config.contextWindow)
    return { kind: 'reject', variant: 'context_length', inputTokens, contextWindow: config.contextWindow };
  const messages = request.messages;
  const last = messages[messages.length - 1];
  if (last?.role === 'assistant' && config.rejectsPrefill)
    return { kind: 'reject', variant: 'prefill_rejected', inputTokens };

  const textKey = config.textKey ?? options.model;
  const answerFor = (turns: readonly Message[]) => {
    const key = `${seed}\u0000${textKey}\u0000${conversationKey(request, turns)}`;
    const prose = generateTokens(key, naturalLength(key, config.answerTokens));
    // Structured output is a JSON document that fits the schema, as the real APIs answer it.
    const json = request.responseFormat && structuredTokens(request.responseFormat, key, prose.text);
    return json ? { tokens: json, text: json.join('') } : prose;
  };

  let continuation: ContinuationKind | undefined;
  let matched = false;
  let tokens: string[] | undefined;
  if (last?.role === 'assistant') {
    continuation = 'prefill';
    const partial = textOf(last);
    const full = answerFor(messages.slice(0, -1));
    const rest = full.text.startsWith(partial) ? tokensAfter(full.tokens, partial.length) : undefined;
    if (rest) {
      matched = true;
      tokens = rest;
    }
  } else if (
    messages.length >= 3 &&
    messages[messages.length - 2]?.role === 'assistant' &&
    CONTINUE_TEXT.test(textOf(last))
  ) {
    const partial = textOf(messages[messages.length - 2]);
    const full = answerFor(messages.slice(0, -2));
    if (partial.length > 0 && partial.length < full.text.length && full.text.startsWith(partial)) {
      continuation = 'continue';
      matched = true;
      const start = tokenStartAtOrBefore(full.tokens, Math.max(0, partial.length - CONTINUE_OVERLAP_CHARS));
      tokens = full.tokens.slice(start.index);
    }
  }
  tokens ??= answerFor(messages).tokens;

  const blocks: PlannedBlock[] = [];
  let budget = request.maxTokens ?? Number.POSITIVE_INFINITY;
  let outputTokens = 0;
  const conversation = conversationKey(request, messages);
  const forcedTool =
    request.tools && request.tools.length > 0 && continuation === undefined
      ? request.toolChoice?.type === 'tool'
        ? request.tools.find((t) => t.name === (request.toolChoice as { name: string }).name)
        : request.toolChoice?.type === 'any'
          ? request.tools[0]
          : undefined
      : undefined;

  if (request.thinking?.type === 'enabled' && continuation === undefined && budget > THINKING_TOKENS) {
    const thought = generateTokens(
      `${seed}\u0000think\u0000${textKey}\u0000${conversation}`,
      THINKING_TOKENS,
    );
    blocks.push({
      type: 'thinking',
      tokens: thought.tokens,
      signature: hashId(48, seed, 'sig', conversation),
    });
    budget -= THINKING_TOKENS;
    outputTokens += THINKING_TOKENS;
  }

  let stopReason: StopReason = 'end_turn';
  let stopSequence: string | null = null;
  if (forcedTool) {
    const input = toolInput(forcedTool.inputSchema, `${seed}\u0000${conversation}`);
    const chunks = ['', ...chunk(JSON.stringify(input), 12)];
    blocks.push({
      type: 'tool_use',
      id: `toolu_01${hashId(22, seed, 'tool', conversation)}`,
      name: forcedTool.name,
      input,
      chunks,
    });
    outputTokens += chunks.length;
    stopReason = 'tool_use';
  } else {
    let text = tokens;
    if (text.length > budget) {
      text = text.slice(0, Math.max(0, budget));
      stopReason = 'max_tokens';
    }
    const stop = applyStopSequences(text, request.stopSequences);
    if (stop !== undefined) {
      stopReason = 'stop_sequence';
      stopSequence = stop;
    }
    blocks.push({ type: 'text', tokens: text });
    outputTokens += text.length;
  }
  return {
    kind: 'answer',
    continuation,
    matched,
    blocks,
    stopReason,
    stopSequence,
    inputTokens,
    outputTokens,
  };
}
