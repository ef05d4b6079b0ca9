import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../policy/fake-clock.ts';
import { createFaultPicker, modelPatternMatches } from './fault-picker.ts';
import { parseFaultSpec } from './fault-spec.ts';
import { parseScenario, type ScenarioInput } from './scenario.ts';

const picker = (input: ScenarioInput, seed?: number) => {
  const clock = createFakeClock(0);
  return {
    clock,
    picker: createFaultPicker({
      scenario: parseScenario(input),
      clock,
      ...(seed === undefined ? {} : { seed }),
    }),
  };
};

const sequence = (p: ReturnType<typeof picker>['picker'], model: string, n: number) =>
  Array.from({ length: n }, () => p.pick(model).faults[0]?.type ?? 'ok');

describe('createFaultPicker', () => {
  it('gives the same faults for the same seed, and different ones for another seed', () => {
    const scenario: ScenarioInput = {
      models: { 'model-a': { faults: [{ fault: '429', probability: 0.3 }] } },
    };
    const a = sequence(picker(scenario, 42).picker, 'model-a', 200);
    const b = sequence(picker(scenario, 42).picker, 'model-a', 200);
    const c = sequence(picker(scenario, 43).picker, 'model-a', 200);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const hits = a.filter((t) => t === 'http').length;
    expect(hits).toBeGreaterThan(40);
    expect(hits).toBeLessThan(80);
  });

  it('draws per model and attempt, so interleaving other models does not change a model’s faults', () => {
    const scenario: ScenarioInput = { faults: [{ fault: '529', probability: 0.5 }] };
    const alone = sequence(picker(scenario, 1).picker, 'model-a', 50);
    const p = picker(scenario, 1).picker;
    const mixed: string[] = [];
    for (let i = 0; i < 50; i++) {
      p.pick('model-b');
      mixed.push(p.pick('model-a').faults[0]?.type ?? 'ok');
    }
    expect(mixed).toEqual(alone);
  });

  it('applies a window from start or reset, on the scenario clock', () => {
    const { clock, picker: p } = picker({
      models: { 'model-b': { faults: [{ fault: '529', from: '10s', to: '70s' }] } },
    });
    expect(p.pick('model-b').faults).toEqual([]);
    clock.advance(10_000);
    expect(p.pick('model-b').faults).toEqual([{ type: 'http', status: 529 }]);
    clock.advance(59_999);
    expect(p.pick('model-b').source).toBe('scenario');
    clock.advance(1);
    expect(p.pick('model-b').faults).toEqual([]);
    p.reset();
    clock.advance(10_000);
    expect(p.pick('model-b').faults).toEqual([{ type: 'http', status: 529 }]);
  });

  it('applies a `times` rule to the first N requests per model, then never until reset', () => {
    const { picker: p } = picker({ faults: [{ fault: '529', times: 2 }] });
    expect(sequence(p, 'm', 4)).toEqual(['http', 'http', 'ok', 'ok']);
    expect(sequence(p, 'other', 3)).toEqual(['http', 'http', 'ok']);
    p.reset();
    expect(sequence(p, 'm', 3)).toEqual(['http', 'http', 'ok']);
  });

  it('counts attempts per model and reports which rule fired', () => {
    const { picker: p } = picker({ models: { m: { faults: ['reset'] } }, faults: ['500'] });
    expect(p.pick('m')).toMatchObject({
      attempt: 1,
      rule: 'models.m.faults[0]',
      faults: [{ type: 'reset' }],
    });
    expect(p.pick('m')).toMatchObject({ attempt: 2 });
    expect(p.pick('n')).toMatchObject({ attempt: 1, rule: 'faults[0]' });
  });

  it('lets a header fault win, with its own times counter', () => {
    const { picker: p } = picker({ faults: ['500'] });
    const header = { ...parseFaultSpec('529 times=2'), text: '529 times=2' };
    expect(p.pick('m', header)).toMatchObject({ source: 'header', faults: [{ status: 529 }] });
    expect(p.pick('m', header)).toMatchObject({ source: 'header' });
    expect(p.pick('m', header)).toMatchObject({ source: undefined, faults: [] });
  });

  it('resolves model behaviour from defaults, patterns, then the exact name', () => {
    const { picker: p } = picker({
      defaults: { tokenMs: 1, answerTokens: 10 },
      models: { 'claude*': { tokenMs: 2, rejectsPrefill: true }, 'claude-x': { tokenMs: 3 } },
      strictModels: true,
    });
    expect(p.model('claude-x')).toMatchObject({
      tokenMs: 3,
      rejectsPrefill: true,
      answerTokens: [10, 10],
      known: true,
    });
    expect(p.model('claude-y')).toMatchObject({ tokenMs: 2, known: true });
    expect(p.model('gpt')).toMatchObject({ tokenMs: 1, known: false });
  });

  it('matches * patterns literally otherwise', () => {
    expect(modelPatternMatches('gpt-4.1*', 'gpt-4.1-mini')).toBe(true);
    expect(modelPatternMatches('gpt-4.1*', 'gpt-401')).toBe(false);
    expect(modelPatternMatches('*', 'anything')).toBe(true);
  });
});

describe('faults on continuations or first attempts only', () => {
  const header = (text: string) => ({ ...parseFaultSpec(text), text });

  it('filters header faults by on=, and counts times only where they applied', () => {
    const { picker: p } = picker({});
    const h = header('cut after=40 on=first; 429 retry-after=1 on=continuation times=2');
    expect(p.pick('m', h, 'first').faults).toEqual([{ type: 'cut', after: 40, on: 'first' }]);
    expect(p.pick('m', h, 'continuation').faults).toEqual([
      { type: 'http', status: 429, retryAfter: 1, on: 'continuation' },
    ]);
    expect(p.pick('m', header('500 on=continuation'), 'first')).toMatchObject({
      faults: [],
      source: undefined,
    });
    const once = header('500 on=continuation times=1');
    expect(p.pick('m', once, 'first').faults).toEqual([]);
    expect(p.pick('m', once, 'continuation').faults).toHaveLength(1);
    expect(p.pick('m', once, 'continuation').faults).toEqual([]);
  });

  it('skips a rule whose on= does not cover the request, without using up its times', () => {
    const { picker: p } = picker({
      models: {
        m: {
          faults: [
            { fault: 'cut after=5', on: 'continuation', times: 1 },
            { fault: '500 on=first', times: 1 },
          ],
        },
      },
    });
    expect(p.pick('m', undefined, 'first')).toMatchObject({
      faults: [{ type: 'http', status: 500 }],
      rule: 'models.m.faults[1]',
    });
    expect(p.pick('m', undefined, 'first').faults).toEqual([]);
    expect(p.pick('m', undefined, 'continuation')).toMatchObject({
      faults: [{ type: 'cut', after: 5 }],
      rule: 'models.m.faults[0]',
    });
    expect(p.pick('m', undefined, 'continuation').faults).toEqual([]);
  });
});
