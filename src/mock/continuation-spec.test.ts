import { describe, expect, it } from 'vitest';
import { formatBehaviour } from './continuation-format.ts';
import { choose, mergeContinuation, parseContinuationSpec } from './continuation-spec.ts';
import { parseScenario } from './scenario.ts';

describe('parseContinuationSpec', () => {
  it('applies a behaviour to both modes, a prefill-only one to prefills, complete_* to complete answers', () => {
    expect(parseContinuationSpec('full_restart')).toEqual({
      prefill: { type: 'full_restart' },
      continue: { type: 'full_restart' },
    });
    expect(parseContinuationSpec('prefill_ignored')).toEqual({ prefill: { type: 'prefill_ignored' } });
    expect(parseContinuationSpec('complete_note text=All+done.')).toEqual({
      prefillComplete: { type: 'complete_note', text: 'All done.' },
      continueComplete: { type: 'complete_note', text: 'All done.' },
    });
    expect(
      parseContinuationSpec('overlap chars=40 on=continue; prefill_rejected; complete_repeat on=continue'),
    ).toEqual({
      continue: { type: 'overlap', chars: 40 },
      prefill: { type: 'prefill_rejected' },
      continueComplete: { type: 'complete_repeat' },
    });
    expect(parseContinuationSpec('preamble text=Sure: then=sentence_restart space=keep')).toEqual({
      prefill: { type: 'preamble', text: 'Sure:', next: { type: 'sentence_restart', space: 'keep' } },
      continue: { type: 'preamble', text: 'Sure:', next: { type: 'sentence_restart', space: 'keep' } },
    });
  });

  it('formats each behaviour back to the same text', () => {
    for (const text of [
      'exact',
      'exact space=keep',
      'overlap chars=10',
      'sentence_restart',
      'full_restart',
      'preamble text=Sure,+here+goes: then=overlap chars=30',
      'paraphrase',
      'different',
      'anchor',
      'empty',
      'echo chars=12',
      'prefill_ignored',
      'prefill_rejected',
      'complete_new_turn',
      'complete_empty',
      'complete_repeat',
      'complete_note text=Done.',
    ]) {
      const config = parseContinuationSpec(text);
      const behaviour = config.prefill ?? config.prefillComplete;
      if (behaviour === undefined || behaviour.type === 'mix' || behaviour.type === 'sequence')
        throw new Error(`no single behaviour: ${text}`);
      expect(formatBehaviour(behaviour)).toBe(text);
    }
  });

  it('names what is wrong', () => {
    expect(() => parseContinuationSpec('teleport')).toThrow(/unknown behaviour "teleport"/);
    expect(() => parseContinuationSpec('prefill_ignored on=continue')).toThrow(/prefill requests only/);
    expect(() => parseContinuationSpec('overlap chars=0')).toThrow(/chars=0/);
    expect(() => parseContinuationSpec('exact space=maybe')).toThrow(/space=maybe/);
    expect(() => parseContinuationSpec('preamble then=prefill_ignored')).toThrow(/cannot follow a preamble/);
    expect(() => parseContinuationSpec('full_restart depth=3')).toThrow(/unknown parameter depth/);
    expect(() => parseContinuationSpec(' ; ')).toThrow(/empty/);
  });

  it('merges mode by mode', () => {
    expect(
      mergeContinuation(parseContinuationSpec('full_restart'), parseContinuationSpec('exact on=prefill')),
    ).toEqual({ prefill: { type: 'exact' }, continue: { type: 'full_restart' } });
  });

  it('is a scenario model field, as text or per mode', () => {
    const scenario = parseScenario({
      models: {
        a: { continuation: 'full_restart on=continue; prefill_ignored' },
        b: { continuation: { prefill: 'preamble', continue: 'sentence_restart', complete: 'complete_note' } },
      },
    });
    expect(scenario.models?.a?.continuation).toEqual({
      continue: { type: 'full_restart' },
      prefill: { type: 'prefill_ignored' },
    });
    expect(scenario.models?.b?.continuation).toEqual({
      prefill: { type: 'preamble' },
      continue: { type: 'sentence_restart' },
      prefillComplete: { type: 'complete_note' },
      continueComplete: { type: 'complete_note' },
    });
    expect(() => parseScenario({ models: { c: { continuation: { continue: 'prefill_ignored' } } } })).toThrow(
      /models\.c\.continuation.*prefill requests only/s,
    );
    expect(() => parseScenario({ models: { c: { continuation: { complete: 'full_restart' } } } })).toThrow(
      /not a complete_\* behaviour/,
    );
  });
});

describe('a parsed scenario', () => {
  it('parses again to itself (mock.scenario() can be handed back)', () => {
    const once = parseScenario({
      models: {
        a: {
          continuation: 'preamble text=Hi then=overlap chars=9; prefill_ignored; complete_note on=continue',
        },
      },
    });
    expect(parseScenario(once)).toEqual(once);
    expect(() => parseScenario({ models: { a: { continuation: { prefill: { type: 'bogus' } } } } })).toThrow(
      /unknown behaviour "bogus"/,
    );
  });
});

describe('behaviours drawn by chance (p=)', () => {
  it('builds a mix per mode; a clause without p= takes what is left, default the mode default', () => {
    expect(
      parseContinuationSpec('full_restart p=0.3 on=continue; preamble p=0.2 on=continue; exact on=continue'),
    ).toEqual({
      continue: {
        type: 'mix',
        options: [
          { p: 0.3, behaviour: { type: 'full_restart' } },
          { p: 0.2, behaviour: { type: 'preamble' } },
          { p: 0.5, behaviour: { type: 'exact' } },
        ],
      },
    });
    expect(parseContinuationSpec('paraphrase p=0.25').prefill).toEqual({
      type: 'mix',
      options: [
        { p: 0.25, behaviour: { type: 'paraphrase' } },
        { p: 0.75, behaviour: undefined },
      ],
    });
    expect(parseContinuationSpec('complete_note p=0.5 on=continue').continueComplete).toMatchObject({
      type: 'mix',
    });
  });

  it('picks by the draw', () => {
    const mix = parseContinuationSpec('full_restart p=0.3; preamble p=0.2; exact').continue;
    expect([0, 0.29, 0.3, 0.49, 0.5, 0.99].map((d) => choose(mix, d)?.type)).toEqual([
      'full_restart',
      'full_restart',
      'preamble',
      'preamble',
      'exact',
      'exact',
    ]);
    expect(choose(parseContinuationSpec('different p=0.5').continue, 0.7)).toBeUndefined();
  });

  it('names what is wrong', () => {
    expect(() => parseContinuationSpec('exact p=0.6; full_restart p=0.6')).toThrow(
      /add up to 1.2, more than 1/,
    );
    expect(() => parseContinuationSpec('exact p=0.5; full_restart; paraphrase')).toThrow(
      /at most one clause without p=/,
    );
    expect(() => parseContinuationSpec('exact p=2')).toThrow(/p=2 is not a chance/);
  });

  it('survives a second parse as a scenario field', () => {
    const once = parseScenario({
      models: {
        a: { continuation: 'full_restart p=0.4 on=continue; complete_note p=0.5 on=prefill; preamble p=0.1' },
      },
    });
    expect(parseScenario(once)).toEqual(once);
  });
});

describe('behaviours in turn (times=)', () => {
  it('gives the first continuations of a mode the timed clauses in order, then the rest', () => {
    const config = parseContinuationSpec('paraphrase times=1; full_restart times=2; exact p=0.5; different');
    expect(config.continue).toEqual({
      type: 'sequence',
      steps: [
        { times: 1, behaviour: { type: 'paraphrase' } },
        { times: 2, behaviour: { type: 'full_restart' } },
      ],
      after: {
        type: 'mix',
        options: [
          { p: 0.5, behaviour: { type: 'exact' } },
          { p: 0.5, behaviour: { type: 'different' } },
        ],
      },
    });
    expect([1, 2, 3].map((nth) => choose(config.continue, 0, nth)?.type)).toEqual([
      'paraphrase',
      'full_restart',
      'full_restart',
    ]);
    expect(choose(config.continue, 0.2, 4)?.type).toBe('exact');
    expect(choose(config.continue, 0.7, 9)?.type).toBe('different');
    expect(choose(parseContinuationSpec('empty times=1 on=prefill').prefill, 0, 2)).toBeUndefined();
    expect(() => parseContinuationSpec('exact times=0')).toThrow(/times=0/);
    expect(() => parseContinuationSpec('exact times=1 p=0.5')).toThrow(/p= or times=, not both/);
  });

  it('survives a second parse as a scenario field', () => {
    const once = parseScenario({
      models: { a: { continuation: 'paraphrase times=2 on=continue; complete_note times=1; exact p=0.3' } },
    });
    expect(parseScenario(once)).toEqual(once);
  });
});
