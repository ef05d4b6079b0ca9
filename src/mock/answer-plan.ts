/**
 * What the mock answers to a canonical request: fresh text (or a tool call), or, for a request
 * that continues an answer (an assistant prefill, or a "continue" user turn after a partial
 * answer), what the scripted continuation behaviour makes of the mock's own answer; bounded
 * by max tokens and stop sequences. Pure: the same request, model, seed and behaviour give
 * the same plan.
 */
import type {
  CanonicalRequest,
  ContentBlock,
  JsonObject,
  Message,
  StopReason,
} from '../wire/canonical/index.ts';
import { formatBehaviour } from './continuation-format.ts';
import {
  type CompleteBehaviour,
  type ContinuationBehaviour,
  type ContinuationConfig,
  choose,
  DEFAULT_OVERLAP_CHARS,
  mergeContinuation,
} from './continuation-spec.ts';
import { completeTokens, continuationTokens, wordTokens } from './continuation-text.ts';
import type { ResolvedModel } from './fault-picker.ts';
import { hashId, hashUnit } from './hash.ts';
import { structuredTokens } from './structured-answer.ts';
import { generateTokens, naturalLength } from './text-generator.ts';
import { argumentChunks, type Tool, toolFor, toolInput } from './tool-call-plan.ts';

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
  /** Which behaviour answered the continuation, in header syntax (`full_restart`, `complete_empty`). */
  behaviour: string | undefined;
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

/** How much of the partial answer a no-prefill continuation repeats by default (then aligned to a token start). */
export const CONTINUE_OVERLAP_CHARS = DEFAULT_OVERLAP_CHARS;
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
    case 'raw':
      return `[${String(block.block.type)}]`;
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
  /** Behaviours from the request's `x-mock-continuation` header, over the model's. */
  continuation?: ContinuationConfig;
  /** In [0, 1): picks among behaviours drawn by chance (`p=`); by default a hash of the request. */
  draw?: number;
  /** Which continuation of its shape (prefill, continue turn) this is for the model, from 1 (`times=`). */
  nth?: number;
}

/**
 * The shape of a continuation request, whatever its partial answer holds: `prefill` when the
 * last turn is the assistant's, `continue` when a user turn asking to go on follows an
 * assistant turn. What `on=continuation` faults strike.
 */
export function continuationShape(request: CanonicalRequest): ContinuationKind | undefined {
  const messages = request.messages;
  const last = messages[messages.length - 1];
  if (last?.role === 'assistant') return 'prefill';
  if (
    messages.length >= 3 &&
    messages[messages.length - 2]?.role === 'assistant' &&
    CONTINUE_TEXT.test(textOf(last))
  )
    return 'continue';
  return undefined;
}

interface BaseAnswer {
  /** The answer's text (before a tool call, the model's short preamble, if any). */
  tokens: string[];
  tool: Tool | undefined;
  /** Keys the tool call's id and input: the conversation it answers. */
  conversation: string;
}

type Answerable = Exclude<ContinuationBehaviour, { type: 'prefill_rejected' }>;

/**
 * Where a caller's own prefill ends inside `whole`: the split whose prefill the mock answers
 * with text that the rest of `whole` starts. Only a character that can open an answer (a
 * capital, `{`, `[`) can be its start, so few splits are tried.
 */
function afterCallerPrefill(
  whole: string,
  answerTo: (prefill: string) => BaseAnswer,
): { base: BaseAnswer; partial: string } | undefined {
  for (let k = whole.length - 1; k > 0; k--) {
    if (!/[A-Z{[]/.test(whole[k]!)) continue;
    const base = answerTo(whole.slice(0, k));
    const partial = whole.slice(k);
    if (base.tokens.join('').startsWith(partial)) return { base, partial };
  }
  return undefined;
}

export function planAnswer(request: CanonicalRequest, options: PlanOptions): AnswerPlan | PlanRejection {
  const { config, seed } = options;
  const inputTokens = estimateInputTokens(request);
  if (config.contextWindow !== undefined && inputTokens > config.contextWindow)
    return { kind: 'reject', variant: 'context_length', inputTokens, contextWindow: config.contextWindow };
  const messages = request.messages;
  const shape = continuationShape(request);
  const behaviours = mergeContinuation(config.continuation, options.continuation);
  const nth = options.nth ?? 1;
  // Only a mix needs the draw; hashing the whole conversation on every request would cost the hot path.
  let drawn = options.draw;
  const draw = () => {
    drawn ??= hashUnit(seed, 'continuation', conversationKey(request, messages));
    return drawn;
  };
  const prefillBehaviour: ContinuationBehaviour =
    choose(behaviours.prefill, draw, nth) ??
    (config.rejectsPrefill ? { type: 'prefill_rejected' } : { type: 'exact' });
  if (shape === 'prefill' && prefillBehaviour.type === 'prefill_rejected')
    return { kind: 'reject', variant: 'prefill_rejected', inputTokens };

  const textKey = config.textKey ?? options.model;
  const answerFor = (turns: readonly Message[], salt = '', conversation?: string): string[] => {
    const key = `${seed}\u0000${salt}${textKey}\u0000${conversation ?? conversationKey(request, turns)}`;
    const prose = generateTokens(key, naturalLength(key, config.answerTokens));
    // Structured output is a JSON document that fits the schema, as the real APIs answer it.
    const json = request.responseFormat && structuredTokens(request.responseFormat, key, prose.text);
    return json ?? prose.tokens;
  };
  const baseAnswer = (turns: readonly Message[]): BaseAnswer => {
    const tool = toolFor(request, turns, config);
    const conversation = conversationKey(request, turns);
    return {
      tokens: tool ? wordTokens(config.toolPreamble ?? '') : answerFor(turns, '', conversation),
      tool,
      conversation,
    };
  };

  let continuation: ContinuationKind | undefined;
  let matched = false;
  let behaviour: string | undefined;
  let answer: BaseAnswer | undefined;
  if (shape !== undefined) {
    continuation = shape;
    const turns = messages.slice(0, shape === 'prefill' ? -1 : -2);
    const whole = textOf(messages[messages.length - (shape === 'prefill' ? 1 : 2)]);
    const chosen: Answerable =
      shape === 'prefill'
        ? (prefillBehaviour as Answerable)
        : ((choose(behaviours.continue, draw, nth) ?? { type: 'overlap' }) as Answerable);
    // The answer being continued is the mock's own, or (after a caller's prefill) the answer it
    // gave to that prefill, which the partial then starts with the prefill before it.
    let base = baseAnswer(turns);
    let partial = whole;
    if (chosen.type !== 'prefill_ignored' && !base.tokens.join('').startsWith(whole)) {
      const split = afterCallerPrefill(whole, (prefill) =>
        baseAnswer([...turns, { role: 'assistant', content: [{ type: 'text', text: prefill }] }]),
      );
      if (split) ({ base, partial } = split);
    }
    const fullText = base.tokens.join('');
    // A continue turn needs an answer to go on from; an empty prefill is simply a fresh start.
    matched = fullText.startsWith(partial) && (shape === 'prefill' || partial.length > 0);
    const input = {
      mode: shape,
      full: base.tokens,
      partial,
      key: `${seed}\u0000paraphrase\u0000${base.conversation}`,
      fresh: () => answerFor(turns, 'different\u0000'),
      prompt: shape === 'continue' ? textOf(messages[messages.length - 1]) : '',
    };
    if (chosen.type === 'prefill_ignored') {
      behaviour = formatBehaviour(chosen);
      answer = { ...base, tokens: continuationTokens(input, chosen) };
    } else if (matched && partial.length >= fullText.length && !base.tool) {
      const done: CompleteBehaviour =
        choose(shape === 'prefill' ? behaviours.prefillComplete : behaviours.continueComplete, draw, nth) ??
        (shape === 'prefill' ? { type: 'complete_empty' } : { type: 'complete_new_turn' });
      behaviour = formatBehaviour(done);
      answer =
        done.type === 'complete_new_turn'
          ? baseAnswer(messages)
          : { ...base, tokens: completeTokens({ mode: shape, full: base.tokens, newTurn: () => [] }, done) };
    } else if (matched) {
      behaviour = formatBehaviour(chosen);
      answer = { ...base, tokens: continuationTokens(input, chosen) };
    } else {
      // Not the mock's own answer: it answers the whole conversation afresh.
      answer = { ...baseAnswer(messages), tool: base.tool };
    }
  }
  answer ??= baseAnswer(messages);

  const blocks: PlannedBlock[] = [];
  let budget = request.maxTokens ?? Number.POSITIVE_INFINITY;
  let outputTokens = 0;
  if (request.thinking?.type === 'enabled' && continuation === undefined && budget > THINKING_TOKENS) {
    // Not a continuation: the answer is to the whole conversation, and keyed by it.
    const conversation = answer.conversation;
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
  let text = answer.tokens;
  if (text.length > budget) {
    text = text.slice(0, Math.max(0, budget));
    stopReason = 'max_tokens';
  }
  const stop = applyStopSequences(text, request.stopSequences);
  if (stop !== undefined) {
    stopReason = 'stop_sequence';
    stopSequence = stop;
  }
  const tool = stopReason === 'end_turn' ? answer.tool : undefined;
  if (text.length > 0 || !tool) {
    blocks.push({ type: 'text', tokens: text });
    outputTokens += text.length;
  }
  if (tool) {
    const input = toolInput(tool.inputSchema, `${seed}\u0000${answer.conversation}`);
    const chunks = argumentChunks(JSON.stringify(input), `${seed}\u0000args\u0000${answer.conversation}`);
    blocks.push({
      type: 'tool_use',
      id: `toolu_01${hashId(22, seed, 'tool', answer.conversation)}`,
      name: tool.name,
      input,
      chunks,
    });
    outputTokens += chunks.length;
    stopReason = 'tool_use';
  }
  return {
    kind: 'answer',
    continuation,
    matched,
    behaviour,
    blocks,
    stopReason,
    stopSequence,
    inputTokens,
    outputTokens,
  };
}
