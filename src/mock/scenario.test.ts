import { describe, expect, it } from 'vitest';
import { parseScenarioText, resolveScenario, scenarioFromBody } from './load-scenario.ts';
import { NAMED_SCENARIOS } from './named-scenarios.ts';
import { parseScenario, ScenarioError } from './scenario.ts';

describe('scenarios', () => {
  it('validates every shipped scenario', () => {
    for (const name of Object.keys(NAMED_SCENARIOS)) expect(resolveScenario(name).name).toBe(name);
  });

  it('reads faults written as header text, objects or lists, and durations with units', () => {
    const scenario = parseScenarioText(`
seed: 7
models:
  model-a:
    firstTokenMs: 50
    faults:
      - fault: 429 retry-after=2
        probability: 0.3
  model-b:
    faults:
      - { fault: { type: http, status: 529 }, from: 10s, to: 70s }
      - fault: [ "slow_tokens ms=5", { type: cut, after: 4 } ]
        times: 2
faults:
  - reset
`);
    expect(scenario.models?.['model-a']?.faults?.[0]).toEqual({
      fault: [{ type: 'http', status: 429, retryAfter: 2 }],
      probability: 0.3,
    });
    expect(scenario.models?.['model-b']?.faults?.[0]).toMatchObject({ from: 10_000, to: 70_000 });
    expect(scenario.models?.['model-b']?.faults?.[1]).toEqual({
      fault: [
        { type: 'slow', tokenMs: 5 },
        { type: 'cut', after: 4 },
      ],
      times: 2,
    });
    expect(scenario.faults).toEqual([{ fault: [{ type: 'reset' }] }]);
  });

  it('names the path and the problem of each error', () => {
    const attempt = () =>
      parseScenario({
        models: {
          'model-a': { tokenMs: -1, faults: [{ fault: 'teapot' }, { fault: '500', probability: 2 }] },
        },
        colour: 'blue',
      });
    expect(attempt).toThrow(ScenarioError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('models.model-a.tokenMs');
      expect(message).toContain('models.model-a.faults[0].fault');
      expect(message).toContain('unknown fault "teapot"');
      expect(message).toContain('models.model-a.faults[1].probability');
      expect(message).toContain('colour');
    }
  });

  it('rejects a window that ends before it starts', () => {
    expect(() => parseScenario({ faults: [{ fault: '529', from: '70s', to: '10s' }] })).toThrow(
      /faults\[0\]\.to: `to` must be after `from`/,
    );
  });

  it('takes a shipped name, an object, or YAML text as a POST body', () => {
    expect(scenarioFromBody('flaky').name).toBe('flaky');
    expect(scenarioFromBody({ use: 'outage' }).name).toBe('outage');
    expect(scenarioFromBody('name: mine\nfaults: ["529"]').name).toBe('mine');
    expect(() => scenarioFromBody({ use: '/etc/passwd' })).toThrow(/unknown scenario name/);
  });

  it('says what a bad name or path is', () => {
    expect(() => resolveScenario('no-such-scenario')).toThrow(/neither a shipped scenario \(healthy, flaky/);
  });
});

describe('scenario errors inside faults', () => {
  it('points into a fault object that misses a field', () => {
    expect(() => parseScenario({ faults: [{ type: 'cut' }] })).toThrow(/faults\[0\]\.fault\[0\]\.after/);
    expect(() => parseScenario({ faults: [{ fault: { type: 'cut', after: 'x' } }] })).toThrow(
      /faults\[0\]\.fault\[0\]\.after/,
    );
  });
});
