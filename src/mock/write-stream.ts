/**
 * Writes a streamed answer: the codec's SSE bytes for each canonical part, paced by the
 * first-token latency and token rate, with the stream faults applied at their token
 * position. Consecutive writes with no wait between them go out as one write, so a healthy
 * stream with no latency costs one syscall.
 */
import type { ServerResponse } from 'node:http';
import type { WireFormat } from '../wire/canonical/index.ts';
import type { StreamEncoder } from '../wire/codec.ts';
import type { TimedPart } from './answer-parts.ts';
import type { FaultPlan } from './fault-plan.ts';

export type Step =
  /** Status and headers (a non-streamed answer sends them only when its body is ready). */
  | { type: 'head'; status: number; headers: Record<string, string | number> }
  | { type: 'write'; text: string; tokens: number }
  | { type: 'wait'; ms: number }
  /** No more bytes until the client goes away. */
  | { type: 'freeze' }
  /** Destroy the socket once what was written has left. */
  | { type: 'cut' }
  | { type: 'end' };

/** A frame whose JSON is cut off mid-value, in the format's framing. */
export function malformedFrame(format: WireFormat): string {
  switch (format) {
    case 'anthropic':
      return 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_del\n\n';
    case 'openai':
      return 'data: {"id":"chatcmpl-malformed","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":\n\n';
    case 'gemini':
      return 'data: {"candidates":[{"content":{"parts":[{"text":\n\n';
  }
}

/** SSE text minus its last frame (frames end with a blank line). */
function withoutLastFrame(text: string): string {
  const frames = text.split(/(?<=\n\n)/);
  frames.pop();
  return frames.join('');
}

const frameCount = (text: string): number => text.split(/(?<=\n\n)/).filter(Boolean).length;

/**
 * Where `cut_in_tool args=K` strikes: after the tokens before the first tool call and K pieces
 * of its arguments (the call left open even when K covers them all). None without a tool call.
 */
function toolCutPosition(parts: readonly TimedPart[], args: number): number | undefined {
  let before = 0;
  let index: number | undefined;
  let pieces = 0;
  for (const { part, token } of parts) {
    if (index === undefined && part.type === 'block_start' && part.block.type === 'tool_use')
      index = part.index;
    else if (index !== undefined && part.type === 'block_stop' && part.index === index) break;
    else if (token && index === undefined) before++;
    else if (token && part.type === 'block_delta' && part.index === index) pieces++;
  }
  return index === undefined ? undefined : before + Math.min(args, pieces);
}

export interface StreamStepsInput {
  parts: readonly TimedPart[];
  encoder: StreamEncoder;
  faults: FaultPlan;
  format: WireFormat;
  /** SSE text of the in-band error event (for `error_event`). */
  errorEvent: () => string;
}

/** The steps of a streamed answer. Pure: tested without sockets. */
export function streamSteps(input: StreamStepsInput): Step[] {
  const { parts, encoder, faults, format } = input;
  const outcome = faults.outcome;
  const totalTokens = parts.reduce((n, p) => n + (p.token ? 1 : 0), 0);
  // Where a positional fault strikes: after this many tokens (at most all of them).
  const position =
    outcome?.type === 'cut' || outcome?.type === 'stall'
      ? outcome.after
      : outcome?.type === 'malformed' || outcome?.type === 'error_event'
        ? outcome.at
        : outcome?.type === 'cut_before_stop'
          ? totalTokens
          : outcome?.type === 'cut_in_tool'
            ? toolCutPosition(parts, outcome.args)
            : undefined;
  const strikeAt = position === undefined ? undefined : Math.min(position, totalTokens);
  const steps: Step[] = [];
  let sent = 0;
  let struck = false;

  // Returns true when the stream ends here.
  const strike = (): boolean => {
    struck = true;
    switch (outcome?.type) {
      case 'cut':
      case 'cut_before_stop':
      case 'cut_in_tool':
        steps.push({ type: 'cut' });
        return true;
      case 'stall':
        steps.push(outcome.ms === undefined ? { type: 'freeze' } : { type: 'wait', ms: outcome.ms });
        return false;
      case 'malformed':
        steps.push({ type: 'write', text: malformedFrame(format), tokens: 0 });
        return false;
      case 'error_event':
        steps.push({ type: 'write', text: input.errorEvent(), tokens: 0 }, { type: 'end' });
        return true;
      default:
        return false;
    }
  };

  for (let i = 0; i < parts.length; i++) {
    const { part, token } = parts[i]!;
    if (token) {
      if (!struck && strikeAt === sent && strike()) return steps;
      const wait = sent === 0 ? faults.firstTokenMs : faults.tokenMs;
      if (wait > 0) steps.push({ type: 'wait', ms: wait });
      sent++;
    } else if (
      !struck &&
      strikeAt === sent &&
      sent === totalTokens &&
      (part.type === 'block_stop' || part.type === 'message_delta')
    ) {
      // Past the last token: strike before the closing parts.
      if (strike()) return steps;
    }
    const text = encoder.encode(part);
    if (part.type === 'message_stop' && outcome?.type === 'cut_after_stop') {
      // The stop reason has gone out; only what closes the stream is lost, and the socket with it.
      const kept =
        format === 'anthropic' || (format === 'openai' && outcome.usage === false && frameCount(text) > 1)
          ? withoutLastFrame(text)
          : text;
      if (kept) steps.push({ type: 'write', text: kept, tokens: 0 });
      steps.push({ type: 'cut' });
      return steps;
    }
    if (part.type === 'message_stop' && outcome?.type === 'no_terminal') {
      // The terminal is `[DONE]` where the format has one (OpenAI), else the last frame the
      // stop part encodes to (Anthropic's `message_stop` after its `message_delta`, Gemini's final chunk).
      const kept = encoder.end() === '' ? withoutLastFrame(text) : text;
      if (kept) steps.push({ type: 'write', text: kept, tokens: 0 });
      steps.push({ type: 'end' });
      return steps;
    }
    if (text) steps.push({ type: 'write', text, tokens: token ? 1 : 0 });
  }
  const tail = encoder.end();
  if (tail) steps.push({ type: 'write', text: tail, tokens: 0 });
  steps.push({ type: 'end' });
  return steps;
}

export interface RunHandle {
  /** Stops the timers (client went away or the server closes). */
  stop(): void;
}

/** Runs steps on a response; `onTokens` reports tokens written, `onDone` fires once at the end. */
export function runSteps(
  res: ServerResponse,
  steps: readonly Step[],
  hooks: { onTokens(n: number): void; onDone(): void },
): RunHandle {
  let i = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    hooks.onDone();
  };
  const next = () => {
    timer = undefined;
    let batch = '';
    let tokens = 0;
    const flush = (callback?: () => void) => {
      if (batch) {
        res.write(batch, callback);
        hooks.onTokens(tokens);
        batch = '';
        tokens = 0;
      } else callback?.();
    };
    while (!stopped && i < steps.length) {
      const step = steps[i++]!;
      switch (step.type) {
        case 'head':
          res.writeHead(step.status, step.headers);
          break;
        case 'write':
          batch += step.text;
          tokens += step.tokens;
          break;
        case 'wait':
          flush();
          timer = setTimeout(next, step.ms);
          return;
        case 'freeze':
          flush();
          return;
        case 'cut':
          // Destroy only after the bytes before the cut have left, so the client sees them.
          flush(() => {
            res.socket?.destroy();
            finish();
          });
          return;
        case 'end':
          if (batch) {
            hooks.onTokens(tokens);
            res.end(batch);
          } else res.end();
          finish();
          return;
      }
    }
    flush();
  };
  next();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      finish();
    },
  };
}
