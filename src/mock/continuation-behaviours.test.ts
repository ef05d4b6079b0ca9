import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, Message } from '../wire/canonical/index.ts';
import { type AnswerPlan, planAnswer } from './answer-plan.ts';
import { type ContinuationConfig, parseContinuationSpec } from './continuation-spec.ts';
import type { ResolvedModel } from './fault-picker.ts';
import { argumentChunks } from './tool-call-plan.ts';

const config: ResolvedModel = {
  firstTokenMs: 0,
  tokenMs: 0,
  answerTokens: [260, 260],
  rejectsPrefill: false,
  contextWindow: undefined,
  textKey: undefined,
  continuation: {},
  toolPreamble: undefined,
  toolCalls: 'forced',
  known: true,
  rules: [],
};
const CONTINUE = 'Your previous answer was cut off. Continue it exactly where it stopped.';
const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });
const assistant = (text: string): Message => ({ role: 'assistant', content: [{ type: 'text', text }] });
const request = (messages: Message[], extra: Partial<CanonicalRequest> = {}): CanonicalRequest => ({
  model: 'm',
  messages,
  ...extra,
});
const run = (
  req: CanonicalRequest,
  continuation?: string | ContinuationConfig,
  over: Partial<ResolvedModel> = {},
) =>
  planAnswer(req, {
    model: 'm',
    config: { ...config, ...over },
    seed: 3,
    ...(continuation === undefined
      ? {}
      : {
          continuation: typeof continuation === 'string' ? parseContinuationSpec(continuation) : continuation,
        }),
  });
const plan = (...args: Parameters<typeof run>) => {
  const p = run(...args);
  if (p.kind !== 'answer') throw new Error(`rejected: ${p.variant}`);
  return p;
};
const textOf = (p: AnswerPlan) => p.blocks.map((b) => (b.type === 'text' ? b.tokens.join('') : '')).join('');

const question = [user('Tell me about breakers.')];
const full = textOf(plan(request(question)));
/** The answer cut after `words` words (a token boundary: no trailing space). */
const cutAfter = (words: number) => full.split(' ').slice(0, words).join(' ');
const prefill = (partial: string, spec?: string, over?: Partial<ResolvedModel>) =>
  plan(request([...question, assistant(partial)]), spec, over);
const continueTurn = (partial: string, spec?: string, over?: Partial<ResolvedModel>) =>
  plan(request([...question, assistant(partial), user(CONTINUE)]), spec, over);
const CUTS = [10, 40, 200];

describe('continuation behaviours (answer plan)', () => {
  it('has an answer long enough to cut after 10, 40 and 200 words', () => {
    expect(full.split(' ').length).toBe(260);
  });

  it('exact: a prefill gets the rest with its leading space; a continue turn the rest with none', () => {
    for (const words of CUTS) {
      const partial = cutAfter(words);
      const p = prefill(partial, 'exact');
      expect(p).toMatchObject({ continuation: 'prefill', matched: true, behaviour: 'exact' });
      expect(partial + textOf(p)).toBe(full);
      const c = continueTurn(partial, 'exact');
      expect(c).toMatchObject({ continuation: 'continue', matched: true, behaviour: 'exact' });
      expect(textOf(c)[0]).not.toBe(' ');
      expect(`${partial} ${textOf(c)}`).toBe(full);
      expect(partial + textOf(continueTurn(partial, 'exact space=keep'))).toBe(full);
      expect(`${partial}${textOf(prefill(partial, 'exact space=drop'))}`).toBe(
        full.replace(`${partial} `, partial),
      );
    }
  });

  it('exact is the default after a prefill, overlap after a continue turn', () => {
    const partial = cutAfter(40);
    expect(prefill(partial).behaviour).toBe('exact');
    expect(continueTurn(partial).behaviour).toBe('overlap');
  });

  it('overlap: repeats at least the last K characters from a token start, then the rest', () => {
    for (const [spec, k] of [
      ['overlap', 24],
      ['overlap chars=60', 60],
      ['overlap chars=1', 1],
    ] as const) {
      for (const words of CUTS) {
        const partial = cutAfter(words);
        for (const p of [prefill(partial, spec), continueTurn(partial, spec)]) {
          const text = textOf(p);
          const start = full.indexOf(text);
          expect(start).toBeGreaterThanOrEqual(0);
          expect(start).toBeLessThanOrEqual(partial.length - k);
          expect(full.slice(start)).toBe(text);
          // token aligned: it starts where a word starts
          expect(full[start]).toBe(' ');
        }
      }
    }
  });

  it('sentence_restart: the cut sentence again from its first word, then the rest', () => {
    for (const words of CUTS) {
      const partial = cutAfter(words);
      const c = textOf(continueTurn(partial, 'sentence_restart'));
      expect(c).toMatch(/^[A-Z]/);
      const start = full.lastIndexOf(c);
      expect(full.slice(start)).toBe(c);
      expect(start).toBeLessThan(partial.length);
      // it begins the sentence holding the cut: no sentence end between its start and the cut
      expect(full.slice(start, partial.length - 1)).not.toMatch(/\.\s/);
      expect(start === 0 || full.slice(0, start).trimEnd().endsWith('.')).toBe(true);
      const p = textOf(prefill(partial, 'sentence_restart'));
      expect(full.endsWith(p)).toBe(true);
      expect(p.trimStart()).toBe(c);
    }
  });

  it('sentence_restart after a cut at a sentence end repeats that last sentence', () => {
    const end = full.indexOf('.') + 1;
    const c = textOf(continueTurn(full.slice(0, end), 'sentence_restart'));
    expect(c).toBe(full.slice(0));
  });

  it('full_restart: the whole answer again from its first word, in both modes', () => {
    for (const words of CUTS) {
      const partial = cutAfter(words);
      expect(textOf(prefill(partial, 'full_restart'))).toBe(full);
      expect(textOf(continueTurn(partial, 'full_restart'))).toBe(full);
    }
  });

  it('preamble: a chatty opener, then a continuation of the kind asked for', () => {
    const partial = cutAfter(40);
    const rest = full.slice(partial.length + 1);
    expect(textOf(continueTurn(partial, 'preamble'))).toBe(
      `Sure, continuing from where I left off:\n\n${rest}`,
    );
    expect(textOf(prefill(partial, 'preamble'))).toBe(` Sure, continuing from where I left off:\n\n${rest}`);
    expect(textOf(continueTurn(partial, 'preamble text=Of+course! then=full_restart'))).toBe(
      `Of course!\n\n${full}`,
    );
    const withOverlap = textOf(continueTurn(partial, 'preamble then=overlap chars=30'));
    const body = withOverlap.slice(withOverlap.indexOf('\n\n') + 2);
    expect(full.endsWith(body)).toBe(true);
    expect(body.length).toBeGreaterThanOrEqual(rest.length + 30);
    expect(continueTurn(partial, 'preamble then=overlap chars=30').behaviour).toBe(
      'preamble then=overlap chars=30',
    );
  });

  it('paraphrase: the answer so far in other words of the same shape, then the rest', () => {
    for (const words of CUTS) {
      const partial = cutAfter(words);
      for (const p of [prefill(partial, 'paraphrase'), continueTurn(partial, 'paraphrase')]) {
        const text = textOf(p);
        const head = text.split(' ').slice(0, words);
        const original = partial.split(' ');
        expect(head).toHaveLength(original.length);
        head.forEach((word, i) => {
          expect(word.toLowerCase()).not.toBe(original[i]!.toLowerCase());
          expect(/[.,]$/.test(word)).toBe(/[.,]$/.test(original[i]!));
        });
        expect(Math.abs(head.join(' ').length - partial.length)).toBeLessThan(partial.length * 0.5 + 10);
        expect(text.slice(head.join(' ').length)).toBe(full.slice(partial.length));
        // nothing of the answer's last words to align on
        expect(text).not.toContain(partial.slice(-20));
      }
    }
  });

  it('different: an unrelated fresh answer', () => {
    const partial = cutAfter(40);
    const text = textOf(continueTurn(partial, 'different'));
    expect(text).toMatch(/^[A-Z].*\.$/);
    expect(full).not.toContain(text.slice(0, 30));
    expect(text).not.toContain(partial.slice(-20));
    expect(textOf(prefill(partial, 'different'))).toBe(text);
  });

  it('anchor: starts with the quoted end of the partial answer when asked to, then the rest', () => {
    for (const words of CUTS) {
      const partial = cutAfter(words);
      const anchor = partial.split(' ').slice(-4).join(' ');
      for (const quote of [`"${anchor}"`, `\u201c${anchor}\u201d`, `\`${anchor}\``]) {
        const p = plan(
          request([
            ...question,
            assistant(partial),
            user(`Your answer was cut off. Begin by repeating ${quote} verbatim, then continue.`),
          ]),
          'anchor',
        );
        expect(p.behaviour).toBe('anchor');
        expect(textOf(p)).toBe(full.slice(partial.length - anchor.length));
      }
      // a quote that does not end the answer, or none: the rest, as exact
      const unquoted = textOf(continueTurn(partial, 'anchor'));
      expect(`${partial} ${unquoted}`).toBe(full);
      const wrong = plan(
        request([...question, assistant(partial), user('Continue after "nothing like it".')]),
        'anchor',
      );
      expect(`${partial} ${textOf(wrong)}`).toBe(full);
      expect(partial + textOf(prefill(partial, 'anchor'))).toBe(full);
    }
  });

  it('empty and echo: an incomplete answer answered with nothing, or only its tail again, and a normal stop', () => {
    for (const words of CUTS) {
      const partial = cutAfter(words);
      for (const p of [prefill(partial, 'empty'), continueTurn(partial, 'empty')]) {
        expect(p).toMatchObject({ behaviour: 'empty', stopReason: 'end_turn', outputTokens: 0 });
        expect(textOf(p)).toBe('');
      }
      for (const [spec, k] of [
        ['echo', 24],
        ['echo chars=60', 60],
      ] as const) {
        const text = textOf(continueTurn(partial, spec));
        expect(partial.endsWith(text)).toBe(true);
        expect(text.length).toBeGreaterThanOrEqual(k);
        expect(text.length).toBeLessThan(k + 20);
        expect(continueTurn(partial, spec).stopReason).toBe('end_turn');
      }
    }
  });

  it('prefill_ignored: a prefill is answered from scratch, even one that is not its own', () => {
    for (const words of CUTS) {
      const p = prefill(cutAfter(words), 'prefill_ignored');
      expect(p).toMatchObject({ continuation: 'prefill', behaviour: 'prefill_ignored' });
      expect(textOf(p)).toBe(full);
    }
    expect(textOf(prefill('Sure thing:', 'prefill_ignored'))).toBe(full);
    // a continue turn is not a prefill: the default answers it
    expect(continueTurn(cutAfter(40), 'prefill_ignored').behaviour).toBe('overlap');
  });

  it('prefill_rejected: from the behaviour or rejectsPrefill; a header behaviour wins over rejectsPrefill', () => {
    expect(run(request([...question, assistant('Breakers')]), 'prefill_rejected')).toMatchObject({
      kind: 'reject',
      variant: 'prefill_rejected',
    });
    expect(
      run(request([...question, assistant('Breakers')]), undefined, { rejectsPrefill: true }),
    ).toMatchObject({
      kind: 'reject',
    });
    expect(prefill(cutAfter(10), 'exact', { rejectsPrefill: true }).behaviour).toBe('exact');
    expect(continueTurn(cutAfter(10), 'prefill_rejected').behaviour).toBe('overlap');
  });

  it('asked to continue a complete answer: empty after a prefill, a new turn after a continue turn, or as scripted', () => {
    const lastSentence = full.slice(full.lastIndexOf('.', full.length - 2) + 2);
    expect(prefill(full)).toMatchObject({ behaviour: 'complete_empty', stopReason: 'end_turn' });
    expect(textOf(prefill(full))).toBe('');
    expect(continueTurn(full).behaviour).toBe('complete_new_turn');
    expect(textOf(continueTurn(full))).not.toContain(full.slice(0, 40));
    expect(textOf(continueTurn(full, 'complete_empty'))).toBe('');
    expect(textOf(continueTurn(full, 'complete_repeat'))).toBe(lastSentence);
    expect(textOf(prefill(full, 'complete_repeat'))).toBe(` ${lastSentence}`);
    expect(textOf(continueTurn(full, 'complete_note'))).toBe('That was the end of my answer.');
    expect(textOf(continueTurn(full, 'complete_note text=Done.'))).toBe('Done.');
    expect(textOf(prefill(full, 'complete_note'))).toBe(' That was the end of my answer.');
    expect(textOf(prefill(full, 'complete_note on=continue'))).toBe('');
    // the continuation behaviour of an incomplete answer is not the complete one
    expect(continueTurn(full, 'full_restart; complete_empty').behaviour).toBe('complete_empty');
  });

  it('continues an answer to a caller’s own prefill: the partial is that prefill and the start of its answer', () => {
    const callerPrefill = 'Sure thing, here goes:';
    const answer = textOf(plan(request([...question, assistant(callerPrefill)])));
    for (const words of [3, 40]) {
      const cut = answer.split(' ').slice(0, words).join(' ');
      const p = prefill(callerPrefill + cut, 'exact');
      expect(p).toMatchObject({ matched: true, behaviour: 'exact' });
      expect(cut + textOf(p)).toBe(answer);
      const c = continueTurn(callerPrefill + cut, 'exact');
      expect(`${cut} ${textOf(c)}`).toBe(answer);
      expect(textOf(prefill(callerPrefill + cut, 'full_restart'))).toBe(answer);
    }
  });

  it('a partial that is not its own answer gets fresh text, marked unmatched', () => {
    for (const p of [continueTurn('Something else entirely', 'exact'), prefill('Sure thing:', 'exact')]) {
      expect(p.matched).toBe(false);
      expect(p.behaviour).toBeUndefined();
      expect(textOf(p).length).toBeGreaterThan(0);
    }
  });

  it('takes the model behaviour, with the header over it mode by mode', () => {
    const model = { continuation: parseContinuationSpec('full_restart on=continue; preamble on=prefill') };
    const partial = cutAfter(10);
    expect(continueTurn(partial, undefined, model).behaviour).toBe('full_restart');
    expect(prefill(partial, undefined, model).behaviour).toBe('preamble');
    expect(prefill(partial, 'exact on=prefill', model).behaviour).toBe('exact');
    expect(continueTurn(partial, 'exact on=prefill', model).behaviour).toBe('full_restart');
  });

  it('bounds a continuation by max tokens', () => {
    const p = plan(request([...question, assistant(cutAfter(10))], { maxTokens: 20 }), 'full_restart');
    expect(p).toMatchObject({ stopReason: 'max_tokens', outputTokens: 20 });
    expect(textOf(p)).toBe(cutAfter(20));
  });
});

describe('tool calls (answer plan)', () => {
  const tools = [
    {
      name: 'get_weather',
      inputSchema: {
        type: 'object',
        properties: { city: { type: 'string' }, days: { type: 'integer' }, detailed: { type: 'boolean' } },
      },
    },
  ];
  const ask = [user('Weather in Paris?')];
  const toolOf = (p: AnswerPlan) => p.blocks.find((b) => b.type === 'tool_use');

  it('streams the arguments in several uneven pieces after an empty one', () => {
    const p = plan(request(ask, { tools, toolChoice: { type: 'any' } }));
    const tool = toolOf(p);
    if (tool?.type !== 'tool_use') throw new Error('no tool call');
    expect(tool.chunks[0]).toBe('');
    expect(tool.chunks.length).toBeGreaterThanOrEqual(5);
    expect(new Set(tool.chunks.slice(1, -1).map((c) => c.length)).size).toBeGreaterThan(1);
    expect(JSON.parse(tool.chunks.join(''))).toEqual(tool.input);
    expect(p.blocks.map((b) => b.type)).toEqual(['tool_use']);
    expect(argumentChunks('{"a":1}', 'k').join('')).toBe('{"a":1}');
  });

  it('writes a preamble before the call when scripted, and continues a cut preamble with the call', () => {
    const over = { toolPreamble: "I'll look that up." };
    const whole = plan(request(ask, { tools, toolChoice: { type: 'any' } }), undefined, over);
    expect(whole.blocks.map((b) => b.type)).toEqual(['text', 'tool_use']);
    expect(textOf(whole)).toBe("I'll look that up.");
    expect(whole.stopReason).toBe('tool_use');
    const original = toolOf(whole);
    // continued after the whole preamble (the cut was inside the call): only the call, same id and input
    const after = plan(
      request([...ask, assistant("I'll look that up.")], { tools, toolChoice: { type: 'any' } }),
      undefined,
      over,
    );
    expect(after.blocks.map((b) => b.type)).toEqual(['tool_use']);
    expect(toolOf(after)).toEqual(original);
    const midway = plan(
      request([...ask, assistant("I'll look")], { tools, toolChoice: { type: 'any' } }),
      undefined,
      over,
    );
    expect(textOf(midway)).toBe(' that up.');
    expect(toolOf(midway)).toEqual(original);
    const restarted = plan(
      request([...ask, assistant("I'll look that up."), user(CONTINUE)], {
        tools,
        toolChoice: { type: 'any' },
      }),
      'full_restart',
      over,
    );
    expect(textOf(restarted)).toBe("I'll look that up.");
    expect(toolOf(restarted)).toEqual(original);
  });

  it('calls the first offered tool for a new question with toolCalls auto, and answers text after its result', () => {
    const auto = { toolCalls: 'auto' as const };
    expect(toolOf(plan(request(ask, { tools }), undefined, auto))).toBeDefined();
    expect(toolOf(plan(request(ask, { tools })))).toBeUndefined();
    expect(
      toolOf(plan(request(ask, { tools, toolChoice: { type: 'none' } }), undefined, auto)),
    ).toBeUndefined();
    const afterResult: Message[] = [
      ...ask,
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'get_weather', input: {} }] },
      {
        role: 'user',
        content: [{ type: 'tool_result', toolUseId: 't1', content: [{ type: 'text', text: 'sunny' }] }],
      },
    ];
    const p = plan(request(afterResult, { tools }), undefined, auto);
    expect(toolOf(p)).toBeUndefined();
    expect(textOf(p).length).toBeGreaterThan(0);
  });
});
