import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, Message } from '../wire/canonical/index.ts';
import { type AnswerPlan, CONTINUE_OVERLAP_CHARS, planAnswer } from './answer-plan.ts';
import type { ResolvedModel } from './fault-picker.ts';

const config: ResolvedModel = {
  firstTokenMs: 0,
  tokenMs: 0,
  answerTokens: [30, 30],
  rejectsPrefill: false,
  contextWindow: undefined,
  textKey: undefined,
  continuation: {},
  toolPreamble: undefined,
  toolCalls: 'forced',
  known: true,
  rules: [],
};
const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });
const assistant = (text: string): Message => ({ role: 'assistant', content: [{ type: 'text', text }] });
const request = (messages: Message[], extra: Partial<CanonicalRequest> = {}): CanonicalRequest => ({
  model: 'm',
  messages,
  ...extra,
});
const plan = (req: CanonicalRequest, model = 'm', over: Partial<ResolvedModel> = {}) =>
  planAnswer(req, { model, config: { ...config, ...over }, seed: 0 }) as AnswerPlan;
const textOf = (p: AnswerPlan) => p.blocks.map((b) => (b.type === 'text' ? b.tokens.join('') : '')).join('');

describe('planAnswer', () => {
  it('answers the same prompt with the same text, and another prompt or model with other text', () => {
    const a = plan(request([user('hello')]));
    expect(textOf(plan(request([user('hello')])))).toBe(textOf(a));
    expect(textOf(plan(request([user('hello!')])))).not.toBe(textOf(a));
    expect(textOf(plan(request([user('hello')]), 'other'))).not.toBe(textOf(a));
    expect(textOf(plan(request([user('hello')]), 'other', { textKey: 'm' }))).toBe(textOf(a));
    expect(a.outputTokens).toBe(30);
    expect(a.stopReason).toBe('end_turn');
    expect(textOf(a)).toMatch(/^[A-Z].*\.$/);
  });

  it('stops at max tokens with stop reason max_tokens', () => {
    const p = plan(request([user('hello')], { maxTokens: 7 }));
    expect(p.outputTokens).toBe(7);
    expect(p.stopReason).toBe('max_tokens');
    expect(textOf(plan(request([user('hello')])))).toContain(textOf(p));
  });

  it('answers an assistant prefill that starts its own answer with exactly the rest', () => {
    const full = textOf(plan(request([user('hello')])));
    for (const cut of [1, 17, 40, full.length - 3]) {
      const rest = plan(request([user('hello'), assistant(full.slice(0, cut))]));
      expect(rest.continuation).toBe('prefill');
      expect(rest.matched).toBe(true);
      expect(full.slice(0, cut) + textOf(rest)).toBe(full);
    }
  });

  it('answers a prefill that is not its own with fresh text, marked unmatched', () => {
    const p = plan(request([user('hello'), assistant('Sure thing:')]));
    expect(p).toMatchObject({ continuation: 'prefill', matched: false });
    expect(textOf(p).length).toBeGreaterThan(0);
  });

  it('continues after a "continue" turn repeating the tail of the partial answer, then the rest', () => {
    const full = textOf(plan(request([user('hello')])));
    const partial = full.slice(0, 60);
    const p = plan(
      request([
        user('hello'),
        assistant(partial),
        user('Your previous answer was cut off. Continue it exactly where it stopped.'),
      ]),
    );
    expect(p).toMatchObject({ continuation: 'continue', matched: true });
    const text = textOf(p);
    // The head repeats at least the last CONTINUE_OVERLAP_CHARS of the partial, aligned to a token start.
    const overlap = partial.length - full.indexOf(text);
    expect(overlap).toBeGreaterThanOrEqual(CONTINUE_OVERLAP_CHARS);
    expect(partial.endsWith(text.slice(0, overlap))).toBe(true);
    expect(partial + text.slice(overlap)).toBe(full);
  });

  it('treats a "continue" after a complete answer as a new turn by default', () => {
    const full = textOf(plan(request([user('hello')])));
    const convo = [user('hello'), assistant(full), user('continue please')];
    const p = plan(request(convo));
    expect(p).toMatchObject({ continuation: 'continue', matched: true, behaviour: 'complete_new_turn' });
    expect(textOf(p)).not.toBe(full);
  });

  it('rejects a prefill when the model does, and a prompt past the context window', () => {
    expect(
      planAnswer(request([user('a'), assistant('b')]), {
        model: 'm',
        config: { ...config, rejectsPrefill: true },
        seed: 0,
      }),
    ).toMatchObject({
      kind: 'reject',
      variant: 'prefill_rejected',
    });
    expect(
      planAnswer(request([user('x'.repeat(4000))]), {
        model: 'm',
        config: { ...config, contextWindow: 500 },
        seed: 0,
      }),
    ).toMatchObject({
      kind: 'reject',
      variant: 'context_length',
      contextWindow: 500,
    });
  });

  it('cuts at the earliest stop sequence and names it', () => {
    const full = textOf(plan(request([user('hello')])));
    const stop = full.slice(20, 26);
    const p = plan(request([user('hello')], { stopSequences: ['zzz-never', stop] }));
    expect(p).toMatchObject({ stopReason: 'stop_sequence', stopSequence: stop });
    expect(textOf(p)).toBe(full.slice(0, full.indexOf(stop)));
  });

  it('calls a forced tool with input shaped by its schema', () => {
    const p = plan(
      request([user('weather?')], {
        tools: [
          {
            name: 'get_weather',
            inputSchema: {
              type: 'object',
              properties: { city: { type: 'string' }, days: { type: 'integer' } },
            },
          },
        ],
        toolChoice: { type: 'any' },
      }),
    );
    expect(p.stopReason).toBe('tool_use');
    const block = p.blocks[0];
    expect(block?.type).toBe('tool_use');
    if (block?.type !== 'tool_use') return;
    expect(block.name).toBe('get_weather');
    expect(typeof block.input.city).toBe('string');
    expect(typeof block.input.days).toBe('number');
    expect(JSON.parse(block.chunks.join(''))).toEqual(block.input);
  });

  it('thinks first when thinking is enabled, counting thinking toward output', () => {
    const p = plan(
      request([user('hi')], { thinking: { type: 'enabled', budgetTokens: 1024 }, maxTokens: 2000 }),
    );
    expect(p.blocks.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect(p.outputTokens).toBe(16 + 30);
  });

  it('counts input tokens at about four characters each', () => {
    expect(plan(request([user('x'.repeat(400))])).inputTokens).toBe(100 + 3);
  });
});
